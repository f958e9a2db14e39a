"""Configuration export and import (issue #9)."""
