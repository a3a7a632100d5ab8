"""factory_boy factories for the core models. App-specific factories live in `tests/<app>/factories.py`."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import factory

from agency.models import Role, User
from clients.models import Merchant, Platform, Shop
from compliance.models import ChatMessage, ChatSession, Sender

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "test-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="zh_CN")
    role = Role.AGENT
    password = factory.django.Password(PASSWORD)


class ManagerFactory(UserFactory):
    role = Role.MANAGER
    is_staff = True


class InspectorFactory(UserFactory):
    role = Role.INSPECTOR


class AgentFactory(UserFactory):
    role = Role.AGENT
    code = factory.Sequence(lambda n: f"t{n:03d}")


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"merchant-{n}")
    name = factory.Sequence(lambda n: f"商家{n}")


class MerchantUserFactory(UserFactory):
    role = Role.MERCHANT
    merchant = factory.SubFactory(MerchantFactory)


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop
        django_get_or_create = ("code",)

    merchant = factory.SubFactory(MerchantFactory)
    code = factory.Sequence(lambda n: f"shop-{n}")
    name = factory.Sequence(lambda n: f"店铺{n}")
    platform = Platform.PDD


class ChatSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatSession

    shop = factory.SubFactory(ShopFactory)
    external_id = factory.Sequence(lambda n: f"s{n}")
    buyer = factory.Sequence(lambda n: f"b-{n}")
    started_at = factory.LazyFunction(lambda: datetime(2026, 11, 1, 10, 0, tzinfo=SHANGHAI))
    ended_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(minutes=10))


class ChatMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatMessage

    session = factory.SubFactory(ChatSessionFactory)
    shop = factory.SelfAttribute("session.shop")
    external_id = factory.Sequence(lambda n: f"m{n}")
    sender = Sender.AGENT
    sent_at = factory.LazyAttribute(lambda o: o.session.started_at)
    text = "亲，在的，请问有什么可以帮您？"
