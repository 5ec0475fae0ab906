"""JUnit XML: one test case per checklist item or finding.

A result that fails the run at the chosen ``--fail-on`` is a ``<failure>`` (message: the why; text: the
why, the evidence and where in the App JSON); any other result that is not a pass (a warning below the
threshold, information, an optional item not run) is ``<skipped>`` with its message. The evidence
fire's request and response (stored masked) go to the test case's ``<system-out>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from console.checks.results import CheckResult, CheckRun

# Characters XML 1.0 cannot hold (an endpoint's answer may contain them): shown as \uXXXX.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _case(suite: ET.Element, result: CheckResult, run: CheckRun, fail_on: str) -> str:
    """Add the test case; returns its outcome: pass, failure or skipped."""
    name = result.id + (f" at {result.pointer}" if result.pointer else "")
    case = ET.SubElement(suite, "testcase", name=xml_text(name),
                         classname=xml_text(f"{run.command}.{result.id.split('.')[0]}"), time="0")
    outcome = "pass"
    failing = (result.level == "error" and fail_on != "never") or (result.level == "warning" and fail_on == "warning")
    if failing:
        details = [result.message, f"check: {result.id} ({result.title})", f"review criterion: {result.criterion}"]
        if result.pointer:
            details.append(f"where: {run.file} {result.pointer}")
        details += [f"evidence: {label}" for label in result.evidence]
        failure = ET.SubElement(case, "failure", message=xml_text(result.message[:1000]), type=result.level)
        failure.text = xml_text("\n".join(details))
        outcome = "failure"
    elif result.level != "pass":
        ET.SubElement(case, "skipped", message=xml_text(f"{result.level}: {result.message}"[:1000]))
        outcome = "skipped"
    if result.proof:
        ET.SubElement(case, "system-out").text = xml_text(result.proof)
    return outcome


def render(run: CheckRun, fail_on: str = "error") -> str:
    root = ET.Element("testsuites", name="App Key Console")
    suite = ET.SubElement(root, "testsuite", name=xml_text(f"{run.command} {run.file}"))
    outcomes = [_case(suite, result, run, fail_on) for result in run.results]
    counts = {"tests": len(outcomes), "failures": outcomes.count("failure"), "errors": 0,
              "skipped": outcomes.count("skipped")}
    for element in (root, suite):
        for key, value in counts.items():
            element.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
