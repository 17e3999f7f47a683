"""Phase lines: what a long silent step is doing, in plain words on a terminal."""

from __future__ import annotations

import json
import logging

from vodstream import log as logconf


def test_phase_is_one_plain_line_or_a_json_event_and_quiet_hides_it(capsys) -> None:
    logconf.configure(logging.INFO, json_lines=False)
    logconf.phase("rendering the demo VOD ...")
    assert capsys.readouterr().err == "vodstream: rendering the demo VOD ...\n"
    logconf.configure(logging.INFO, json_lines=True)
    logconf.phase("starting Ray ...")
    event = json.loads(capsys.readouterr().err)
    assert event["event"] == "phase" and event["message"] == "starting Ray ..."
    logconf.configure(logging.WARNING, json_lines=False)  # -q
    logconf.phase("clipping ...")
    assert capsys.readouterr().err == ""
