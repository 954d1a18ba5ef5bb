"""Pydantic models of supervisor messages (OpenAPI document)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PulledMessage(BaseModel):
    """The value of a pulled `message` change: exactly what the tablet stores."""

    id: str
    text: str
    sender: str
    sent_at: str


class MessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    to: str = Field(
        min_length=1, max_length=128, description="an operator's username, or '*' for all"
    )


class RecipientOut(BaseModel):
    username: str
    delivered_at: str | None
    acked_at: str | None


class MessageOut(PulledMessage):
    to: str
    recipients: list[RecipientOut]


class MessageResponse(BaseModel):
    server_time: str
    message: MessageOut


class MessagesResponse(BaseModel):
    server_time: str
    messages: list[MessageOut]
