"""server/commit.py: the idempotency keys and remembered answers, the shared
ticket of an answer and its event, checkpoints in the open batch, and the
answer that replaces one whose commit failed."""

from __future__ import annotations

import json
from collections.abc import Callable

from server.commit import Pending, RequestKey, SharedTicket, answers_from, internal_from
from tests.server.servers import app
from tests.server.wire import RawClient
from tests.support import ServerThread

Connect = Callable[..., RawClient]


def test_a_result_shares_its_ticket_only_when_the_ticket_is_all_of_it() -> None:
    shared = SharedTicket.of({"ticket": {"id": "t1", "number": "A001"}})
    assert shared is not None
    assert json.loads(shared.json) == shared.wire == {"id": "t1", "number": "A001"}
    assert SharedTicket.of({"ticket": None}) is None
    assert SharedTicket.of({"ticket": {"id": "t1"}, "survey_url": "x"}) is None
    assert SharedTicket.of({}) is None


def test_stored_answers_are_keyed_as_the_dispatcher_keys_requests() -> None:
    answers = answers_from({("kiosk:k1", '"r1"'): "ok"})
    assert answers == {RequestKey("kiosk:k1", '"r1"'): "ok"}


def test_a_failed_commit_is_answered_internal_with_the_request_id() -> None:
    answer = json.loads(internal_from('{"type":"ok","id":"r9","result":{}}'))
    assert (answer["type"], answer["id"], answer["code"]) == ("error", "r9", "internal")
    assert json.loads(internal_from(None))["id"] is None


def test_a_committed_answer_is_remembered_under_its_key(server: ServerThread,
                                                        connect: Connect) -> None:
    kiosk = connect(server, "kiosk", "kiosk-7")
    text = kiosk.raw_request("ticket.issue", "k-1", service="A")
    key = RequestKey("kiosk:kiosk-7", '"k-1"')
    assert server.call(lambda: app(server).commits.answers.get(key)) == text
    assert server.call(lambda: key not in app(server).commits.inflight)
    assert kiosk.raw_request("ticket.issue", "k-1", service="A") == text  # not again


def test_a_checkpoint_commits_with_the_batch_and_reads_back(server: ServerThread,
                                                            connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    kiosk.raw_request("ticket.issue", "k-1", service="A")
    writer = app(server).commits

    def checkpoint() -> int:
        writer.maybe_checkpoint()  # not due after one event
        assert writer.batch.checkpoint is None
        writer.maybe_checkpoint(force=True)
        assert writer.batch.checkpoint is not None
        writer.pending.append(Pending([], None, None))  # as stop() commits one
        return writer.checkpoint_seq

    seq = server.call(checkpoint)
    server.run(writer.flush())
    stored = server.run(app(server).store.latest_checkpoint(app(server).office.day))
    assert stored is not None and stored[0] == seq

