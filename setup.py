from setuptools import setup

# Metadata lives in setup.cfg; this file lets scrapyd-deploy build an egg.
setup()
