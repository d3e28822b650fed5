"""What the differ is given beside the fetch: the plan's ``desiredHash`` (made from the files
alone) and the comparisons made page by page as the list arrives, which must give the plan the
whole-list comparison gives."""

from __future__ import annotations

from test_differ_decisions import BODY, NEW_BODY, desired, remote
from waform.desired_forms import DesiredForms, hash_desired
from waform.differ import diff, plan_changes
from waform.inventory import pair


def test_desired_hash_changes_with_the_files_not_with_the_remote():
    a = diff([desired()], [])
    b = diff([desired()], [remote(state="APPROVED")])
    c = diff([desired(body=NEW_BODY)], [])
    assert a.desired_hash == b.desired_hash != c.desired_hash


def test_hash_desired_matches_the_plans_desired_hash():
    from waform.desired_forms import hash_desired

    wanted = [desired(), desired(name="other", body=NEW_BODY)]
    assert hash_desired(wanted) == diff(wanted, [remote(state="APPROVED")]).desired_hash
    assert hash_desired(reversed(wanted)) == hash_desired(wanted)


def test_comparisons_made_beside_the_fetch_give_the_same_plan():
    """``plan`` compares each desired template with its remote one as soon as that one has
    arrived (:class:`DesiredForms`); one fetched again later (a moving page boundary) is
    compared anew, one not arrived yet is compared by the differ."""
    ds = [desired("same"), desired("edited", body=NEW_BODY), desired("new_one")]
    rs = [remote("same", state="APPROVED"), remote("edited", state="APPROVED")]
    inventory = pair(ds, rs, ())
    made = plan_changes(inventory)
    assert made.desired_hash == hash_desired(ds)
    assert [a.action for a in made.actions] == ["update", "create"]
    plain = made.model_dump(exclude={"created_at"})
    stale = remote("same", state="APPROVED", body=NEW_BODY)  # since replaced by rs[0]
    for arrived in ({r.key: r for r in rs}, {stale.key: stale}, {}):
        forms = DesiredForms.of(ds, arrived)
        assert {k: same for k, (_r, same) in forms.compared.items()} == {
            r.key: r.effective_details() == BODY_OF[r.name] for r in arrived.values()
        }
        planned = plan_changes(inventory, desired_forms=forms)
        assert planned.model_dump(exclude={"created_at"}) == plain


BODY_OF = {"same": {"components": [BODY]}, "edited": {"components": [NEW_BODY]}}


def test_comparisons_made_page_by_page_hold_the_later_read_of_a_template():
    """The thread beside a cold plan's fetch compares each page as it arrives
    (:class:`waform.sides.Arrivals`, :meth:`DesiredForms.compare`); a template read twice (a
    sweep in parts that was not accepted, then read page after page) holds the comparison with
    its later read, which is the one the fetch's result holds, so the differ uses it."""
    from waform.sides import Arrivals

    ds = [desired("same"), desired("edited", body=NEW_BODY), desired("new_one")]
    stale = remote("same", state="APPROVED", body=NEW_BODY)
    later = [remote("same", state="APPROVED"), remote("edited", state="APPROVED")]
    arrived = Arrivals()
    arrived.add([stale])
    arrived.add(later)
    arrived.close()
    compared: dict = {}
    for page in arrived.pages():  # ends once closed: the fetch is over
        DesiredForms.compare(page, {d.key: d for d in ds}, compared)
    assert {k: (r, same) for k, (r, same) in compared.items()} == {
        later[0].key: (later[0], True),
        later[1].key: (later[1], False),
    }
    assert all(compared[k][0] is arrived[k] for k in compared)
    inventory = pair(ds, later, ())
    forms = DesiredForms(hash_desired(ds), compared)
    planned = plan_changes(inventory, desired_forms=forms)
    assert planned.model_dump(exclude={"created_at"}) == plan_changes(inventory).model_dump(
        exclude={"created_at"}
    )
