"""The filter that decides which lines of a build log fail the build test."""

from conftest import KERNEL_SHUTDOWN_RACE, problem_lines

RACE = KERNEL_SHUTDOWN_RACE[0]
TRACE = """Traceback (most recent call last):
  File ".../ipykernel/kernelbase.py", line 338, in process_control
    sys.stderr.flush()
zmq.error.ZMQError: Socket operation on non-socket
"""


def test_sphinx_warnings_and_errors_are_reported():
    log = "reading sources\nbook/ch01.md:3: WARNING: undefined label\nERROR: cell failed\ndone\n"
    assert problem_lines(log) == ["book/ch01.md:3: WARNING: undefined label", "ERROR: cell failed"]


def test_known_kernel_shutdown_race_is_allowed_only_with_its_trace():
    assert problem_lines(f"ok\n{RACE}\n{TRACE}") == []
    assert problem_lines(f"ok\n{RACE}\nTraceback:\nValueError: boom\n") == [RACE]


def test_kernel_tcp_notice_is_allowed():
    line = "[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All communication"
    assert problem_lines(line) == []
