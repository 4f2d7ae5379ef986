"""The demo class's names (standard library only: ``classmood --help`` shows them without loading the ORM)."""

DEMO_COURSE = "Demo class"
DEMO_USER = "teacher"
DEMO_PASSWORD = "demo-class"  # a throwaway local account, shown to the user on purpose
