"""zhenggai.notifications: the outbox dispatcher, channels and templates (step 4).

Step 1 only writes outbox rows (engine); sending them comes with step 4.
"""

__all__: list[str] = []
