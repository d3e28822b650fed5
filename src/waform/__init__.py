"""waform: WhatsApp message templates as code.

The pipeline runs one way: ``loader`` (desired YAML) → ``fetcher`` (remote state) → ``differ``
(the plan) → ``applier`` (writes). ``manager`` wires the steps together for the CLI.
"""

__version__ = "0.1.0"
