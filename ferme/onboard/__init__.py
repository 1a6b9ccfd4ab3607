"""Onboarding waves: their state kept with the site, the gates a wave must pass before it opens, and
`ferme onboard` that opens or takes back a wave."""
