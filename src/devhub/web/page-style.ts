/** CSS of the dev Hub web page. */
export const PAGE_STYLE = `
:root { font-family: system-ui, sans-serif; color: #1d2330; background: #f4f5f7; }
body { margin: 0; }
header { background: #2d3a4f; color: #fff; padding: .6rem 1.2rem; display: flex; gap: 1rem; align-items: baseline; }
header h1 { font-size: 1.1rem; margin: 0; }
header a { color: #cfe0ff; }
main { display: grid; grid-template-columns: minmax(0, 1fr) 26rem; gap: 1rem; padding: 1rem; max-width: 80rem; margin: auto; }
main > div, aside { min-width: 0; }
/* Narrow screens (phones, 360 px up): one column, the form before the side panels, nothing overlapping. */
@media (max-width: 900px) {
  main { grid-template-columns: minmax(0, 1fr); padding: .5rem; gap: .5rem; }
  header { flex-wrap: wrap; gap: .4rem 1rem; }
}
section, aside > div { background: #fff; border-radius: 8px; padding: .8rem 1rem; box-shadow: 0 1px 2px #0002; margin-bottom: 1rem; }
.post, .comment { border-bottom: 1px solid #e4e6ea; padding: .6rem 0; }
.post:last-child, .comment:last-child { border-bottom: 0; }
.meta { color: #667; font-size: .8rem; }
.title { font-weight: 600; cursor: pointer; color: #1c4fa0; }
.content { white-space: pre-wrap; margin: .3rem 0; overflow-wrap: anywhere; }
.title, .meta, .panel-item { overflow-wrap: anywhere; }
.open { color: #1c4fa0; cursor: pointer; }
.mention { color: #a04a00; font-weight: 600; }
.comment { margin-left: calc(var(--depth, 0) * 1.2rem); }
.human { color: #0a7a3b; }
.system-line { color: #778; font-size: .8rem; font-style: italic; margin: .2rem 0; overflow-wrap: anywhere; }
.system-line::before { content: "system · "; font-style: normal; font-weight: 600; }
#form:empty { display: none; }
.panel-item.clickable { cursor: pointer; }
.panel-item.clickable:hover { background: #f4f7ff; }
.step { border-left: 3px solid #e4e6ea; padding: .2rem .6rem; margin: .5rem 0; }
.step-model_turn { border-color: #b9c9ee; }
.step-tool_result { border-color: #d6e8c8; }
.step-reply { border-color: #7ccf99; }
.step-failure { border-color: #f2a3ab; }
.step-text { white-space: pre-wrap; overflow-wrap: anywhere; font-size: .8rem; background: #f7f8fa; padding: .3rem; margin: .2rem 0; max-width: 100%; }
.tool-call { margin: .3rem 0; font-size: .85rem; }
.expand { font-size: .75rem; padding: 0 .5rem; }
textarea, input { width: 100%; box-sizing: border-box; font: inherit; padding: .4rem; margin: .2rem 0; }
textarea { min-height: 5rem; }
button { font: inherit; padding: .35rem .9rem; cursor: pointer; }
button:disabled { cursor: progress; opacity: .6; }
.agents button { margin: .1rem; padding: .1rem .4rem; font-size: .8rem; }
.error { color: #b00020; }
.status { font-size: .8rem; color: #667; }
header .status.offline { color: #ffd2d2; font-weight: 600; }
.panel-item { font-size: .85rem; border-bottom: 1px solid #eee; padding: .3rem 0; }
.badge { display: inline-block; font-size: .7rem; padding: 0 .4rem; border-radius: 8px; background: #e4e6ea; color: #334; }
.st-running { background: #fff3c4; color: #7a5a00; }
.st-completed, .st-live { background: #d6f5e0; color: #0a6b32; }
.st-skipped, .st-offline-brain { background: #e3ecff; color: #1c4fa0; }
.st-failed, .st-timeout, .st-invalid, .st-not-available { background: #fde2e4; color: #b00020; }
`;
