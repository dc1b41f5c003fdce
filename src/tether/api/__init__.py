"""The JSON API (`/api/v1/`): a second front door onto care's and the
portal's services and selectors, for other apps and a clinic's scripts
(docs/api.md). Handlers are thin: they parse, call the same service a page
calls, and shape the answer; every rule stays in the service."""
