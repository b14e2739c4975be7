"""The next step of an NC and who is to take it, from the report to the signed closure."""

import datetime as dt

from qms.core.calendar import local_today
from qms.nonconformities import services
from qms.nonconformities.progress import next_step
from tests.conftest import PASSWORD


def steps_of(nc):
    step = next_step(nc)
    return None if step is None else (step.step, [p.username for p in step.people], step.by_quality_officer)


def test_the_next_step_and_who_takes_it(people, make_nc):
    nc = make_nc()
    assert steps_of(nc) == ("correction", [], True)
    services.assign_handler(people.qo, nc, people.staff2)
    assert steps_of(nc) == ("correction", [people.staff2.username], False)
    services.assign_handler(people.qo, nc, None)
    services.record_correction(people.qo, nc, what="Gọi lại", by=people.staff)
    assert steps_of(nc)[0] == "correction"
    services.record_correction(people.qo, nc, what="Gọi lại", by=people.staff, done=True)
    assert steps_of(nc)[0] == "action-needed"
    services.decide_action_needed(people.qo, nc, needed=True)
    assert steps_of(nc)[0] == "whys"
    services.add_why(people.qo, nc, answer="Không ai theo dõi hạn")
    services.add_cause(people.qo, nc, category="method", description="Quy trình thiếu bước", is_root=True)
    assert steps_of(nc) == ("accept-analysis", [], True)
    services.accept_analysis(people.qo, nc, password=PASSWORD)
    assert steps_of(nc)[0] == "items"
    due = local_today() + dt.timedelta(days=3)
    item = services.add_action(people.qo, nc, what="Phân công", owner=people.staff, due_on=due)
    assert steps_of(nc) == ("complete", [people.staff.username], False)
    services.complete_action(people.staff, item, result="Xong")
    assert steps_of(nc)[0] == "review"
    review = services.plan_review(people.qo, nc, planned_on=local_today(), reviewer=people.leader)
    assert steps_of(nc) == ("reviews", [people.leader.username], False)
    services.record_review(people.leader, review, result="effective")
    assert steps_of(nc) == ("close", [], True)
    services.close_nc(people.qo, nc, password=PASSWORD, risks_need_update=False, documents_need_update=False)
    assert next_step(nc) is None


def test_no_action_needed_goes_to_closing_an_observation_needs_no_correction(people, make_nc):
    observation = make_nc(severity="observation")
    assert steps_of(observation)[0] == "action-needed"
    services.decide_action_needed(people.qo, observation, needed=False, reason="Chỉ là khuyến nghị")
    assert steps_of(observation) == ("close", [], True)
