"""Driving the studio's editor page the way its users do: open it, pick an element, save the draft."""

from __future__ import annotations


def open_studio(page, base: str, key: str) -> None:
    page.goto(f"{base}/preplans/{key}/studio")
    page.wait_for_selector("#studio[data-ready]")
    assert page.get_attribute("#studio", "data-warnings") == "0"


def pick(page, element_id: str, control: str) -> None:
    """Select an element through the 'go to' list (the keyboard's way in) and wait for its panel."""
    page.select_option("#element-picker", element_id)
    page.wait_for_selector(f"#panel {control}")


def save(page) -> None:
    page.click("#save-draft")
    page.wait_for_selector("#studio-status.ok")
