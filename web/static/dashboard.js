// The dashboard's charts: each section's figures come in a JSON script tag (the Content-Security-Policy allows no
// inline code), drawn as SVG by Apache ECharts so they print sharply. The tables beside them hold the same numbers.
for (const holder of document.querySelectorAll('.charts')) {
  const data = JSON.parse(holder.querySelector('script.chart-data').textContent);
  const names = data.labels;
  const draw = (kind, option) => {
    const element = holder.querySelector(`[data-chart="${kind}"]`);
    const chart = echarts.init(element, null, { renderer: 'svg' });
    chart.setOption({ animation: false, tooltip: { trigger: 'axis' }, legend: {}, grid: { containLabel: true }, ...option });
    window.addEventListener('resize', () => chart.resize());
    window.addEventListener('beforeprint', () => chart.resize());
  };
  const bars = (rows, keys) => keys.map((key) => ({ name: names[key], type: 'bar', data: rows.map((row) => row[key]) }));
  draw('trend', {
    xAxis: { type: 'category', data: data.week.map((point) => point.period) },
    yAxis: { type: 'value', minInterval: 1 },
    series: ['opened', 'closed'].map((key) => ({ name: names[key], type: 'line', data: data.week.map((point) => point[key]) })),
  });
  draw('severity', {
    xAxis: { type: 'category', data: data.severity.map((row) => row.name) },
    yAxis: { type: 'value', minInterval: 1 },
    series: bars(data.severity, ['opened', 'closed']),
  });
  draw('steps', {
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: data.steps.map((row) => row.name) },
    series: bars(data.steps, ['on_time', 'late']).map((series) => ({ ...series, stack: 'deadlines' })),
  });
}
