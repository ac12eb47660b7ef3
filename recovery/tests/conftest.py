NEW_PASSWORD = "le chat de ma voisine mange des croissants"


def ask(client, identifier, channel="email", contact="claire.perso@example.org", ip="127.0.0.1"):
    return client.post(
        "/password/reset/", {"identifier": identifier, "channel": channel, "contact": contact}, REMOTE_ADDR=ip
    )
