package io.imaginefleet.bot.discord;

import java.util.List;
import net.dv8tion.jda.api.hooks.EventListener;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;

/**
 * One family of Discord application commands together with the JDA listener that serves them.
 *
 * <p>The bot collects every family when it connects: it registers the union of {@link #commands()}
 * (globally, or per configured guild) and adds each family as a JDA event listener. Built-in families
 * (/imagine, /inpaint, /upscale, /jobs, the result buttons) are created by the bot itself; any CDI bean
 * implementing this interface (for example the operators' {@code /admin} family) is picked up as well.
 *
 * <p>Rules for implementations: acknowledge (defer) an interaction before any I/O, never block JDA's
 * event thread, and ignore interactions that belong to another family (check the command name or the
 * button id prefix). Listeners usually extend {@link net.dv8tion.jda.api.hooks.ListenerAdapter}.
 */
public interface CommandFamily extends EventListener {

    /** The application commands (slash or context-menu) this family serves; may be empty (buttons only). */
    List<CommandData> commands();
}
