"""Query-count guards: list and detail endpoints cost the same number of queries for 2 or 20 rows (no N+1)."""

from __future__ import annotations

import pytest

from tests.helpers import household, member

pytestmark = pytest.mark.django_db


def _many(actors, regions, n):
    clerk = actors["clerk_a"]
    for i in range(n):
        household(
            clerk,
            regions["a"],
            members=[
                member(f"户主{i}"),
                member(f"配偶{i}", "02", male=False),
                member(f"子{i}", "03", birth="2008-01-01"),
            ],
            phone="13812345678",
        )


# Every authenticated request costs 6 queries before the view runs: session, user, the user's
# jurisdiction region, and the session save (idle timeout) in its savepoint. A list adds count + page.
REQUEST = 6


@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("/api/households/", REQUEST + 2),
        ("/api/households/?search=户主1", REQUEST + 2),
        ("/api/households/?year=2019&status=poor&cause=1", REQUEST + 2),
        ("/api/members/", REQUEST + 2),
        ("/api/members/?current=true", REQUEST + 2),
        ("/api/regions/?ancestors=true", REQUEST + 2),
    ],
)
def test_list_endpoints_do_not_grow_with_rows(api, actors, regions, django_assert_max_num_queries, path, budget):
    _many(actors, regions, 20)
    c = api("reviewer")
    with django_assert_max_num_queries(budget):
        r = c.get(path)
    assert r.status_code == 200


def test_household_detail_with_many_members(api, actors, regions, django_assert_max_num_queries):
    clerk = actors["clerk_a"]
    h = household(
        clerk, regions["a"], members=[member("户主")] + [member(f"子{i}", "03", birth="2000-01-01") for i in range(15)]
    )
    c = api("approver")
    # household, members, member years, household years, status history
    with django_assert_max_num_queries(REQUEST + 5):
        r = c.get(f"/api/households/{h.pk}/")
    assert r.status_code == 200 and len(r.json()["members"]) == 16
    # household, its member ids, count, page
    with django_assert_max_num_queries(REQUEST + 4):
        assert c.get(f"/api/households/{h.pk}/audit/").status_code == 200
    first = h.members.first()
    # member with household, member years
    with django_assert_max_num_queries(REQUEST + 2):
        assert c.get(f"/api/members/{first.pk}/").status_code == 200


def test_list_returns_all_twenty(api, actors, regions):
    _many(actors, regions, 20)
    assert api("clerk_a").get("/api/households/").json()["count"] == 20
    assert api("clerk_a").get("/api/members/").json()["count"] == 60
