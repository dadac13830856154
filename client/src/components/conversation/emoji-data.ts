/**
 * Shortcodes for the emoji people use most in chat (GitHub/Slack names). Kept small and loaded
 * lazily, the first time a `:` is typed or the picker opens.
 */
export const EMOJI: readonly (readonly [string, string])[] = [
  ["smile", "😄"], ["grin", "😁"], ["joy", "😂"], ["rofl", "🤣"], ["slightly_smiling_face", "🙂"], ["wink", "😉"],
  ["blush", "😊"], ["heart_eyes", "😍"], ["kissing_heart", "😘"], ["yum", "😋"], ["stuck_out_tongue", "😛"],
  ["thinking", "🤔"], ["neutral_face", "😐"], ["expressionless", "😑"], ["unamused", "😒"], ["roll_eyes", "🙄"],
  ["grimacing", "😬"], ["relieved", "😌"], ["pensive", "😔"], ["sleepy", "😪"], ["sleeping", "😴"], ["mask", "😷"],
  ["sunglasses", "😎"], ["nerd_face", "🤓"], ["confused", "😕"], ["worried", "😟"], ["open_mouth", "😮"],
  ["astonished", "😲"], ["flushed", "😳"], ["pleading_face", "🥺"], ["cry", "😢"], ["sob", "😭"], ["scream", "😱"],
  ["angry", "😠"], ["rage", "😡"], ["skull", "💀"], ["poop", "💩"], ["clown_face", "🤡"], ["ghost", "👻"],
  ["robot", "🤖"], ["see_no_evil", "🙈"], ["wave", "👋"], ["ok_hand", "👌"], ["v", "✌️"], ["crossed_fingers", "🤞"],
  ["point_up", "☝️"], ["point_right", "👉"], ["thumbsup", "👍"], ["+1", "👍"], ["thumbsdown", "👎"], ["-1", "👎"],
  ["clap", "👏"], ["raised_hands", "🙌"], ["pray", "🙏"], ["muscle", "💪"], ["eyes", "👀"], ["brain", "🧠"],
  ["heart", "❤️"], ["orange_heart", "🧡"], ["yellow_heart", "💛"], ["green_heart", "💚"], ["blue_heart", "💙"],
  ["purple_heart", "💜"], ["broken_heart", "💔"], ["sparkling_heart", "💖"], ["100", "💯"], ["boom", "💥"],
  ["fire", "🔥"], ["sparkles", "✨"], ["star", "⭐"], ["zap", "⚡"], ["tada", "🎉"], ["confetti_ball", "🎊"],
  ["gift", "🎁"], ["trophy", "🏆"], ["rocket", "🚀"], ["coffee", "☕"], ["beer", "🍺"], ["pizza", "🍕"],
  ["cake", "🍰"], ["sun", "☀️"], ["rainbow", "🌈"], ["snowflake", "❄️"], ["check", "✅"], ["x", "❌"],
  ["warning", "⚠️"], ["question", "❓"], ["exclamation", "❗"], ["bulb", "💡"], ["memo", "📝"], ["bug", "🐛"],
  ["lock", "🔒"], ["key", "🔑"], ["bell", "🔔"], ["calendar", "📅"], ["clock", "🕐"], ["hourglass", "⌛"],
  ["computer", "💻"], ["phone", "📱"], ["email", "📧"], ["link", "🔗"], ["pushpin", "📌"], ["chart", "📈"],
  ["dog", "🐶"], ["cat", "🐱"], ["unicorn", "🦄"], ["shrug", "🤷"], ["facepalm", "🤦"], ["party", "🥳"],
  ["hugs", "🤗"], ["melting_face", "🫠"], ["saluting_face", "🫡"], ["handshake", "🤝"], ["ok", "🆗"],
];

/** The first `limit` shortcodes starting with `prefix`, then those containing it. */
export function searchEmoji(prefix: string, limit = 8): (readonly [string, string])[] {
  const p = prefix.toLowerCase();
  const starts = EMOJI.filter(([name]) => name.startsWith(p));
  const contains = EMOJI.filter(([name]) => !name.startsWith(p) && name.includes(p));
  return [...starts, ...contains].slice(0, limit);
}
