"""Role checks: the role sets, the page decorator and the API permission classes of agency.permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.test import APIRequestFactory

from agency import permissions as perms
from tests.factories import AgentFactory, InspectorFactory, ManagerFactory, MerchantUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "manager": ManagerFactory(),
        "inspector": InspectorFactory(),
        "agent": AgentFactory(),
        "merchant": MerchantUserFactory(),
        "superuser": UserFactory(role="agent", is_superuser=True),
    }


EXPECTED = {
    # role set: who passes
    "MANAGERS": {"manager", "superuser"},
    "STAFF": {"manager", "inspector", "superuser"},
    "AGENCY": {"manager", "inspector", "agent", "superuser"},
    "AGENTS": {"agent", "superuser"},  # the superuser is also an agent here (their own role)
    "MERCHANTS": {"merchant"},
    "MANAGERS_AND_MERCHANTS": {"manager", "merchant", "superuser"},
    "STAFF_AND_MERCHANTS": {"manager", "inspector", "merchant", "superuser"},
    "EVERYONE": {"manager", "inspector", "agent", "merchant", "superuser"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_role_set_admits_exactly_its_people(people, name):
    roles = getattr(perms, name)
    assert {who for who, user in people.items() if perms.has_role(user, roles)} == EXPECTED[name]


def test_anonymous_users_have_no_role():
    from django.contrib.auth.models import AnonymousUser

    assert perms.roles_of(AnonymousUser()) == frozenset()
    assert not perms.has_role(AnonymousUser(), perms.EVERYONE)


def test_the_page_decorator_sends_anonymous_users_to_login_and_refuses_other_roles(people):
    @perms.roles_required(perms.STAFF)
    def page(request):
        return HttpResponse("ok")

    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    response = page(request)
    assert response.status_code == 302 and "/login/" in response["Location"]
    for who in ("agent", "merchant"):
        request.user = people[who]
        with pytest.raises(PermissionDenied):
            page(request)
    for who in ("manager", "inspector", "superuser"):
        request.user = people[who]
        assert page(request).content == b"ok"


@pytest.mark.parametrize(
    "cls,allowed",
    [
        (perms.IsManager, {"manager", "superuser"}),
        (perms.IsStaff, {"manager", "inspector", "superuser"}),
        (perms.IsAgent, {"agent", "superuser"}),
        (perms.IsMerchantUser, {"merchant"}),
        (perms.IsManagerOrMerchant, {"manager", "merchant", "superuser"}),
    ],
)
def test_api_permission_classes_follow_their_role_sets(people, cls, allowed):
    request = APIRequestFactory().get("/api/x/")
    passed = set()
    for who, user in people.items():
        request.user = user
        if cls().has_permission(request, view=None):
            passed.add(who)
    assert passed == allowed


def test_reads_for_the_views_roles_and_writes_for_managers(people):
    class View:
        read_roles = perms.STAFF

    permission = perms.ReadForRolesWriteForManagers()
    get, post = APIRequestFactory().get("/api/x/"), APIRequestFactory().post("/api/x/")
    get.user = post.user = people["inspector"]
    assert permission.has_permission(get, View()) and not permission.has_permission(post, View())
    post.user = people["manager"]
    assert permission.has_permission(post, View())
