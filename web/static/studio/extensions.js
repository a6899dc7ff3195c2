// Reading and writing our spiffworkflow extension elements as typed moddle objects (spiffworkflow.json), through
// bpmn-js's modeling commands so every edit is one undoable step and the diagram's XML follows.

export const FORM_PROPERTY = 'formJsonSchemaFilename';

function extensionsOf(bo) { return (bo.extensionElements && bo.extensionElements.values) || []; }

export function findExtension(bo, type) { return extensionsOf(bo).find(e => e.$instanceOf(type)); }

export function bodyOf(bo, type) {
  const found = findExtension(bo, type);
  return found ? found.value || '' : '';
}

export class Extensions {
  constructor(modeler) {
    this.modeling = modeler.get('modeling');
    this.factory = modeler.get('bpmnFactory');
  }

  // The element's extensionElements, created when missing.
  container(element, bo) {
    if (!bo.extensionElements) {
      const created = this.factory.create('bpmn:ExtensionElements', { values: [] });
      this.modeling.updateModdleProperties(element, bo, { extensionElements: created });
    }
    return bo.extensionElements;
  }

  // Sets (or, with an empty text, removes) a body element such as spiffworkflow:InstructionsForEndUser.
  setBody(element, bo, type, text) {
    const found = findExtension(bo, type);
    if (found && text) { this.modeling.updateModdleProperties(element, found, { value: text }); return; }
    if (found) {
      const container = bo.extensionElements;
      this.modeling.updateModdleProperties(element, container, { values: container.values.filter(v => v !== found) });
      return;
    }
    if (!text) return;
    const container = this.container(element, bo);
    this.modeling.updateModdleProperties(element, container, { values: [...container.values, this.factory.create(type, { value: text })] });
  }

  propertyOf(bo, name) {
    const properties = findExtension(bo, 'spiffworkflow:Properties');
    return properties && (properties.properties || []).find(p => p.name === name);
  }

  setProperty(element, bo, name, value) {
    const found = this.propertyOf(bo, name);
    if (found) { this.modeling.updateModdleProperties(element, found, { value }); return; }
    let properties = findExtension(bo, 'spiffworkflow:Properties');
    if (!properties) {
      const container = this.container(element, bo);
      properties = this.factory.create('spiffworkflow:Properties', { properties: [] });
      this.modeling.updateModdleProperties(element, container, { values: [...container.values, properties] });
    }
    const created = this.factory.create('spiffworkflow:Property', { name, value });
    this.modeling.updateModdleProperties(element, properties, { properties: [...(properties.properties || []), created] });
  }

  expression(body) { return this.factory.create('bpmn:FormalExpression', { body }); }
}
