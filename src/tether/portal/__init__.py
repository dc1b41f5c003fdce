"""The client side: single-use invitation links, their answers and submission
(docs/architecture.md §Records, §Privacy). The questionnaire pages call services.py."""
