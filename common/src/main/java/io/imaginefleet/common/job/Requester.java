package io.imaginefleet.common.job;

/**
 * Who asked for a job and where its result goes. All ids are Discord snowflakes as strings (or any opaque id for
 * other front ends). {@code messageRef} is the bot's own reference to the message it edits; never an interaction
 * token (tokens stay in the bot's memory and never travel through Kafka).
 */
public record Requester(String guildId, String channelId, String userId, String messageRef) {
}
