# For scrapyd-deploy, which builds the project's egg with `python setup.py bdist_egg`;
# everything about the package is in pyproject.toml (including the scrapy settings entry point).
from setuptools import setup

setup()
