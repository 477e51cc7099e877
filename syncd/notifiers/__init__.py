"""Delivery channels: notes on activities, push notifications through apprise, the console."""
