"""Proactive subscribers (issue 17): the chain from a due reminder to the notification.

ProactiveReminderDue (published by the daily job with the Reminder) → prepare the dossier
when the rule says so (outside the job's transaction: the registers are asked over the
network) → ProactiveReminderReady, which notifications tells the person of.
"""
