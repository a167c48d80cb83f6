"""Alerts: Spidermon monitors run on every crawl once its run is recorded in the crawl state, and
actions that tell people (a JSON webhook, e-mail over SMTP), each problem once.

``monitors.py``  the checks (one Spidermon monitor method per problem key)
``channels.py``  the actions: webhook (Slack, Mattermost, Telegram bot) and e-mail
``extension.py`` when and with what data they run; what was sent is remembered in the crawl state
"""
