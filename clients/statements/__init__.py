"""The monthly statement (对账单) of a contract (contracts §9): computation, lifecycle, documents."""
