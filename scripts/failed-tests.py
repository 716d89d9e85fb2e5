#!/usr/bin/env python3
"""Print every failed test of the .trx files given, with the first lines of its message.

test.sh calls this after the run so that the end of the output, which is often all a CI
page keeps, names what failed and why rather than only a count.
"""
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
failed = 0
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as error:
        print(f"  (could not read {path}: {error})")
        continue
    for result in root.iter(NS + "UnitTestResult"):
        if result.get("outcome") != "Failed":
            continue
        failed += 1
        print(f"FAILED {result.get('testName')} [{result.get('duration')}]")
        message = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}Message")
        stack = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}StackTrace")
        for text, limit in ((message, 12), (stack, 6)):
            if text is not None and text.text:
                for line in text.text.strip().splitlines()[:limit]:
                    print(f"    {line}")
sys.exit(0)
