"""Review threads: the conversation between the board and the editors about a claim, or the article as a whole.

A reviewer's notes and comment, given with a sign-off, open threads; editors
read them beside each claim, reply and mark them resolved; reviewers read the
replies on the desk. The models are in `models`, the reads in `selectors`, the
writes in `editorial.services.threads`, the pages in `views`.
"""
