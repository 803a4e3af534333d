"""共建单位 (partner units): the 五共 model of a community and its partner units.

The three lists (resources offered, needs, joint projects matching them), joint meetings
and activities, service hours verified by staff, and 双报到 (party organisations and
in-service party members reporting to the community), with yearly evaluations.
"""
