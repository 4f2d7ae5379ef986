"""Cisco Webex: known to the bot (window title, advice), not yet drawn by the synthetic galleries.

No stage colours or label font are given: none were measured on Webex frames, and the splitter
works without hints. Its label strip is taken to be the other clients' until a frame says otherwise.
"""

from bot.platforms.base import Platform

PLATFORM = Platform(
    name="webex",
    title="Webex",
    window_hints=("webex",),
    gallery_advice="choose Layout > Grid in the top-right corner of the Webex meeting window",
)
