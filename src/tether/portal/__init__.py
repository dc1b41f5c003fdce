"""The client side: single-use invitation links, their answers and submission
(DESIGN §3, §6). The questionnaire pages call services.py."""
