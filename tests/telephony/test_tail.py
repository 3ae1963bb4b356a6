"""``telephony.follow.Tail``: complete lines only, rotation and truncation, resuming by inode."""

import os

from telephony.follow import Tail


def texts(lines):
    return [line.text for line in lines]


def drain(tail):
    """Every line the tail has now (the old file's rest comes one poll before the switch)."""
    lines = []
    while polled := tail.poll():
        lines += polled
    return lines


def test_a_partial_last_line_waits_for_its_newline(tmp_path):
    path = tmp_path / "queue_log"
    path.write_bytes("\ufeff1|a\r\n1|b".encode())
    tail = Tail(path)
    assert texts(tail.poll()) == ["1|a"]  # the BOM and the CRLF are gone
    assert tail.poll() == []
    with path.open("ab") as log:
        log.write(b"\n2|c\n")
    lines = tail.poll()
    assert texts(lines) == ["1|b", "2|c"]
    assert [(line.line_no, line.end) for line in lines] == [
        (2, 12),
        (3, 16),
    ]  # the BOM's 3 bytes count
    assert lines[-1].end == path.stat().st_size
    tail.close()


def test_rotation_finishes_the_old_file_then_reads_the_new_one(tmp_path):
    path = tmp_path / "queue_log"
    path.write_text("1|a\n")
    tail = Tail(path)
    assert texts(tail.poll()) == ["1|a"]
    os.rename(path, tmp_path / "queue_log.1")
    assert tail.poll() == []  # renamed, not created again yet
    with (tmp_path / "queue_log.1").open("a") as old:
        old.write("1|b\n1|unfinished")  # the PBX wrote on before it reopened the log
    path.write_text("2|a\n")
    lines = drain(tail)
    assert texts(lines) == ["1|b", "1|unfinished", "2|a"]
    assert [line.line_no for line in lines] == [2, 3, 1]
    assert lines[-1].inode == path.stat().st_ino != lines[0].inode
    tail.close()


def test_a_truncated_file_is_read_again_from_its_start(tmp_path):
    path = tmp_path / "queue_log"
    path.write_text("1|a\n1|b\n")
    tail = Tail(path)
    assert texts(tail.poll()) == ["1|a", "1|b"]
    path.write_text("3|c\n")  # copytruncate: same inode, shorter
    assert [(line.line_no, line.text) for line in tail.poll()] == [(1, "3|c")]
    tail.close()


def test_resuming_finds_the_rotated_file_by_its_inode(tmp_path):
    path = tmp_path / "queue_log"
    path.write_text("1|a\n1|b\n")
    first = Tail(path)
    lines = first.poll()[:1]  # only the first line was stored
    first.close()
    inode, offset, line_no = lines[0].inode, lines[0].end, lines[0].line_no
    os.rename(path, tmp_path / "queue_log.1")
    path.write_text("2|a\n")
    tail = Tail(path, inode=inode, offset=offset, line_no=line_no)
    assert [(line.line_no, line.text) for line in drain(tail)] == [(2, "1|b"), (1, "2|a")]
    tail.close()
    gone = Tail(tmp_path / "queue_log", inode=inode + 10**9, offset=4, line_no=1)
    assert texts(gone.poll()) == ["2|a"]  # the old file is gone: the new one from its start
    gone.close()


def test_a_log_not_written_yet_is_waited_for(tmp_path):
    path = tmp_path / "queue_log"
    tail = Tail(path)
    assert tail.poll() == []
    path.write_text("1|a\n")
    assert texts(tail.poll()) == ["1|a"]
    tail.close()
