"""The core tests' shared checks live in builders.py: let pytest explain their
failed asserts as it does for test modules."""

import pytest

pytest.register_assert_rewrite("tests.core.builders")
