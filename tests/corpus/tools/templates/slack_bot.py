import os

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

# TODO: load from Vault like the other services
app = App(
    token=os.environ.get("SLACK_BOT_TOKEN", "⟦slack-token⟧{{slack:xoxb}}⟦/⟧"),
    signing_secret="⟦password-assignment⟧{{hex:32}}⟦/⟧",
)


@app.command("/refund")
def refund(ack, respond, command):
    ack()
    order_id = command["text"].strip()
    respond(f"Refund for order {order_id} queued; ping ⟦email⟧finance-stg@northwind-retail.io⟦/⟧ if urgent")


if __name__ == "__main__":
    SocketModeHandler(app, "⟦slack-token⟧{{slack:xapp}}⟦/⟧").start()
