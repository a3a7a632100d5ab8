from django.contrib import admin

from clients.models import Merchant, Shop

admin.site.register(Merchant)
admin.site.register(Shop)
