import os

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

# TODO: load from Vault like the other services
app = App(
    token=os.environ.get("SLACK_BOT_TOKEN", "⟦slack-token⟧xoxb-354729997604-6874578253758-CywUEs7itks2gMFCxAmDViXB⟦/⟧"),
    signing_secret="⟦password-assignment⟧f7d9706061d1ab35b85bc0edb7d9db2c⟦/⟧",
)


@app.command("/refund")
def refund(ack, respond, command):
    ack()
    order_id = command["text"].strip()
    respond(f"Refund for order {order_id} queued; ping ⟦email⟧finance-stg@northwind-retail.io⟦/⟧ if urgent")


if __name__ == "__main__":
    SocketModeHandler(app, "⟦slack-token⟧xapp-1-A0LTSJOA48J-3482791333335-a8882042ce96d6faed22fa36ee83c99edc6ab2972f57e35cc034b92d71dc6f7a⟦/⟧").start()
