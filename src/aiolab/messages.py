"""What aiolab and the grader say to a learner, in the language of the course's edition:
one message catalogue.

It holds the charts' words and the *framing* of every verdict: the verdict line and the
score lines of :mod:`aiolab.checks`, every :class:`~aiolab.grading.GradingFailure` of
:mod:`aiolab.grading` and the grader's judge (a blocking call, a time limit, too slow,
too fast, ...), the texts of :mod:`aiolab.errors` and the chart titles. A message is looked
up by its English template, which is also what English shows, and its ``{fields}`` are
filled after the lookup (:func:`_`), so English output is exactly as it was. Scenario
titles, one per requirement of every exercise, have a table of their own (:func:`title`), and
so do the failure details written per exercise in the lessons' test cells and the grader's
per-lesson checks (:func:`detail`). Those stay plain English f-strings where they are
written, so a check reads as ordinary Python; the translation is found from the message
itself, by the template that made it (the course's build tools list the templates).

Which language: :func:`speaking` chooses it for a block of code (the grader does, from the
judged notebook's ``metadata.course_edition.language``: :func:`notebook_language`);
elsewhere it is the environment variable ``AIOLAB_LANGUAGE`` (``make lab EDITION=zh`` sets
it to ``zh`` for the Chinese lab, so every kernel it starts has it, and the grader gives it
to the kernel of a Chinese submission); unset, or a language the catalogue does not have,
means English.
Chinese text is drawn with Debian's Noto Sans CJK SC (``fonts-noto-cjk``), which
:func:`fonts` adds after the course's own font for that language only.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import NamedTuple

VARIABLE = "AIOLAB_LANGUAGE"
#: Where a notebook of a translated edition says its language (the course's translation tools).
METADATA_KEY = "course_edition"

#: The language chosen by :func:`speaking` (None: the environment's).
_chosen: ContextVar[str | None] = ContextVar("aiolab_language", default=None)

CATALOGUE: dict[str, dict[str, str]] = {
    "zh": {
        "waiting": "等待",
        "ready, queued for the loop": "就绪，排队等待事件循环",
        "running on the loop": "在事件循环上运行",
        "running in a thread": "在线程中运行",
        "cancelled": "已取消",
        "failed (exception)": "失败（异常）",
        "failed": "失败",
        "timed out": "超时",
        "still pending": "仍未完成",
        "pending": "未完成",
        "result": "正常返回",
        "virtual time (s)": "虚拟时间（秒）",
        "time (s)": "时间（秒）",
        "task duration (s)": "任务耗时（秒）",
        "tasks in flight": "进行中的任务",
        "tasks": "任务数",
        "{n} task, all done after {elapsed}": "{n} 个任务，全部在 {elapsed} 时完成",
        "{earlier}, {part}": "{earlier}、{part}",
        "{earlier} and {part}": "{earlier} 和 {part}",
        "{earlier}, then {part}": "{earlier}，然后{part}",
        "{earlier}; {part}": "{earlier}；{part}",
        "{n} tasks, all done after {elapsed}": "{n} 个任务，全部在 {elapsed} 时完成",
        "; one after another they would take {together}": "；依次运行则需要 {together}",
        "{n} rows: {outcomes}": "{n} 行：{outcomes}",
        "Chart: ": "图表：",
        "A chart": "一张图表",
        # ---- aiolab.checks: verdicts and scores ----
        "{points:g} point": "{points:g} 分",
        "{points:g} points": "{points:g} 分",
        "{mark} {exercise} · {title} ({points})": "{mark} {exercise} · {title}（{points}）",
        "**Score: {earned:g} of {total:g} points**": "**得分：{earned:g} 分（满分 {total:g} 分）**",
        "{exercise}: {earned:g} of {total:g} points from these checks":
            "{exercise}：这些检查共得 {earned:g} 分（满分 {total:g} 分）",
        "The grader's hidden checks:": "评分程序的隐藏检查：",
        "a check failed": "一项检查未通过",
        "Not written yet: the code still raises NotImplementedError.":
            "尚未完成：代码仍然抛出 NotImplementedError。",
        "Your code raised an ExceptionGroup ({inner}){where}": "你的代码抛出了 ExceptionGroup（{inner}）{where}",
        ": {error}": "：{error}",
        "Your code raised {name}{text}{where}": "你的代码抛出了 {name}{text}{where}",
        ", at {place} ({function}): {line}": "，出错位置：{place}（{function}）：{line}",
        "Your code raised {name}{where} (it escaped instead of being handled).":
            "你的代码抛出了 {name}{where}（它没有被处理，一直传到了外面）。",
        '(note: asyncio logged "{line}")': "（注：asyncio 记录了“{line}”）",
        "(note: {warning})": "（注：{warning}）",
        "{warning}: a coroutine was created but never awaited (call it with `await`, or wrap it in a task).":
            "{warning}：创建了一个协程，却从未 await 它（请用 `await` 调用它，或把它包装成任务）。",
        # ---- aiolab.grading and the grader's judge: GradingFailure texts, chart titles ----
        " ({why})": "（{why}）",
        "Not run: the checks of this cell already took their {total:g} s of real time{why}.":
            "未运行：本单元格的检查已经用完了 {total:g} 秒真实时间{why}。",
        "expected an async function, got {fn!r}": "这里需要一个异步函数，得到的却是 {fn!r}",
        "{name}() must be an `async def` function: calling it returned {kind}, not a coroutine":
            "{name}() 必须是 `async def` 函数：调用它返回的是 {kind}，而不是协程",
        "an earlier run blocked the event loop for {duration:.1f} s":
            "之前的一次运行阻塞了事件循环 {duration:.1f} 秒",
        "Your code blocked the event loop: Task {task!r} blocked the event loop for {duration:.3f} s of real "
        "time in one step, without awaiting (the step ended at {where}).\nWhile one task runs without "
        "awaiting, no other task can run. Use `await asyncio.sleep(...)` instead of time.sleep(), and move "
        "slow synchronous work to `await asyncio.to_thread(...)`.":
            "你的代码阻塞了事件循环：任务 {task!r} 在一步之内没有 await，占用了事件循环 {duration:.3f} 秒"
            "真实时间（这一步结束于 {where}）。\n一个任务不 await 而一直运行时，其他任务都无法运行。"
            "请用 `await asyncio.sleep(...)` 代替 time.sleep()，并把耗时的同步工作交给 "
            "`await asyncio.to_thread(...)`。",
        "  (no task was pending)": "  （没有未完成的任务）",
        "Your code did not finish within {limit:g} s of virtual time, so it probably waits for something "
        "that never happens (an event nobody sets, a task nobody finishes) or loops forever.\n"
        "Still waiting at that moment:\n{pending}":
            "你的代码在 {limit:g} 秒虚拟时间内没有结束：它很可能在等待一件永远不会发生的事"
            "（一个没人设置的事件、一个没人完成的任务），或者陷入了无限循环。\n"
            "那一刻仍在等待的有：\n{pending}",
        "an earlier run was stopped after {real_limit:g} s of real time":
            "之前的一次运行在 {real_limit:g} 秒真实时间后被停止",
        "Your code blocked the event loop: one step ran for {real_limit:g} s of real time without ever "
        "awaiting (a blocking call such as time.sleep(), or a loop with no await in it).\n{error}":
            "你的代码阻塞了事件循环：有一步运行了 {real_limit:g} 秒真实时间，始终没有 await"
            "（例如 time.sleep() 这样的阻塞调用，或者一个不含 await 的循环）。\n{error}",
        "Your code was still running after {real_limit:g} s of real time (an endless loop?).\n{error}":
            "你的代码运行了 {real_limit:g} 秒真实时间仍未结束（是不是无限循环？）。\n{error}",
        "Your code: {title}": "你的代码：{title}",
        "Expected": "预期",
        "took {elapsed:g} s": "耗时 {elapsed:g} 秒",
        "task {name!r}": "任务 {name!r}",
        "Too slow: tasks that could overlap ran one after another?":
            "太慢：本可以同时进行的任务是不是一个接一个地运行了？",
        "Too fast: some work was skipped or not awaited?": "太快：是不是有些工作被跳过了，或者没有被 await？",
        "Expected this to take {expected:g} s of virtual time; it took {elapsed:g} s. {why}":
            "预期耗时 {expected:g} 秒虚拟时间，实际耗时 {elapsed:g} 秒。{why}",
        "with a value": "返回一个值",
        "with an exception": "抛出异常",
        # "cancelled" (already above, for the charts): 已取消
        " and ": "，",
        "start at {started:g} s": "在 {started:g} 秒开始",
        "end {how} at {ended:g} s": "在 {ended:g} 秒结束（{how}）",
        "end at {ended:g} s": "在 {ended:g} 秒结束",
        "end {how}": "结束时{how}",
        "run": "运行",
        "it ran in {count} tasks of that name": "实际上有 {count} 个同名任务在运行",
        "no task of that name ran": "实际上没有这个名字的任务运行过",
        "was still running": "仍在运行",
        "ended {how} at {ended:g} s": "在 {ended:g} 秒结束（{how}）",
        "it started at {started:g} s and {end}": "实际上它在 {started:g} 秒开始，{end}",
        "it never started and {end}": "实际上它从未开始，{end}",
        "{why}: ": "{why}：",
        "{prefix}the task {name!r} should {should}, once; {was}.":
            "{prefix}任务 {name!r} 应当{should}，且只运行一次；{was}。",
        "The kernel's answer was malformed (did code in the notebook change how cells run?).":
            "内核的回答格式不对（笔记本里是否有代码改变了单元格的运行方式？）。",
        "The kernel did not answer the grader with data (did code in the notebook change how cells run?).":
            "内核没有用数据回答评分程序（笔记本里是否有代码改变了单元格的运行方式？）。",
        "Not run: the grader's requests for this cell used up their {budget:g} s of real time (the code was "
        "stuck or very slow in an earlier scenario).":
            "未运行：评分程序对本单元格的请求已经用完了 {budget:g} 秒真实时间"
            "（之前某个场景中代码卡住了，或者非常慢）。",
        "The kernel's answer had no timeline.": "内核的回答中没有时间线。",
        "Not run: the notebook used up its {limit:g} s of real time.":
            "未运行：这个笔记本已经用完了 {limit:g} 秒真实时间。",
        "The kernel stopped answering the grader ({name}).": "内核不再回答评分程序（{name}）。",
        "The kernel did not answer the grader in time (the learner's code kept it busy).":
            "内核没有及时回答评分程序（学员的代码一直占着它）。",
        # ---- the grader's feedback pages: the feedback page's note where hidden tests were ----
        "# (hidden tests ran here; their verdicts are in the output below)":
            "# （隐藏测试在这里运行过；它们的结论在下面的输出中）",
        # ---- aiolab.drive: the kernel's answers to the grader ----
        "`{name}` is not defined: run the cell that defines it (and check its name).":
            "`{name}` 尚未定义：请运行定义它的单元格（并检查名字是否写对）。",
        "a real-time run was stopped after {real_limit:g} s": "一次真实时间运行在 {real_limit:g} 秒后被停止",
        "Your code did not finish within {real_limit:g} s of real time: a wait that never ends, or a request "
        "without a timeout?":
            "你的代码在 {real_limit:g} 秒真实时间内没有结束：是不是有一个永远不会结束的等待，或者一个没有设置超时的请求？",
        # ---- aiolab.errors (run_virtual's errors, also seen in lessons) ----
        "\nNo task was pending.": "\n没有未完成的任务。",
        "\n  ... and {count} more": "\n  ……还有 {count} 个",
        "\nPending tasks:\n": "\n未完成的任务：\n",
        "The coroutine was still running at t = {limit:g} s of virtual time (the limit). Something is "
        "waiting for an event that never comes, or looping forever; raise `limit=` if it really needs longer.":
            "到虚拟时间 t = {limit:g} 秒（时间上限）时，协程仍在运行：有代码在等待一个永远不会到来的事件，"
            "或者陷入了无限循环；如果它确实需要更长时间，请调大 `limit=`。",
        "Task {task!r} blocked the event loop for {duration:.3f} s of real time in one step (the threshold "
        "is {threshold:g} s); the step ended at {where}. Blocking calls such as time.sleep() or long "
        "computations stop every other task; use `await asyncio.sleep()`, `await asyncio.to_thread(...)`, "
        "or split the work. (If one long step is intended, e.g. creating 100,000 tasks at once, pass a "
        "larger `blocking_threshold=`, or None.)":
            "任务 {task!r} 在一步之内阻塞了事件循环 {duration:.3f} 秒真实时间（阈值为 {threshold:g} 秒），"
            "这一步结束于 {where}。time.sleep() 这样的阻塞调用或耗时的计算会让其他所有任务停下来；"
            "请使用 `await asyncio.sleep()`、`await asyncio.to_thread(...)`，或者把工作拆开。"
            "（如果确实需要一个很长的步骤，例如一次创建 100,000 个任务，请传入更大的 "
            "`blocking_threshold=`，或传入 None。）",
        " (virtual time t = {time:g} s)": "（虚拟时间 t = {time:g} 秒）",
        "the loop": "事件循环",
        " at {where}": "（位于 {where}）",
        "The run took more than {limit} s of real time{at}: {who} is stuck in synchronous code{where}, so "
        "the event loop never got control back (an endless loop without `await`, or a long blocking call). ":
            "运行超过了 {limit} 秒真实时间{at}：{who} 卡在同步代码中{where}，事件循环一直没能重新获得控制权"
            "（一个没有 `await` 的无限循环，或者一个很长的阻塞调用）。",
        "It was interrupted.": "它已被中断。",
        "It could not be interrupted and is left running in a background thread.":
            "它无法被中断，仍在一个后台线程中运行。",
        "The run took more than {limit} s of real time{at}: the event loop kept running tasks but time "
        "could not move on. Under virtual time that is a task that loops without ever waiting for a timer "
        "(e.g. `while True: await asyncio.sleep(0)`), or a wait for a thread or real I/O that does not "
        "finish. The task with the most steps is usually the one.":
            "运行超过了 {limit} 秒真实时间{at}：事件循环一直在运行任务，时间却无法前进。在虚拟时间下，"
            "这通常是某个任务在循环中从不等待定时器（例如 `while True: await asyncio.sleep(0)`），"
            "或者在等待一个不会结束的线程或真实 I/O。步数最多的那个任务通常就是原因。",
        # ---- the grader: what grading writes into a submission ----
        "not run: the notebook used up its {limit:g} s of real time before this cell (an endless loop or a "
        "very slow cell earlier on?)":
            "未运行：在这个单元格之前，笔记本已经用完了它的 {limit:g} 秒真实时间（前面有无限循环，或者很慢的单元格？）",
        "the notebook used up its {limit:g} s of real time in this cell":
            "笔记本在这个单元格中用完了它的 {limit:g} 秒真实时间",
        "this cell was stopped after {limit:g} s of real time (an endless loop, or a call that blocks?)":
            "这个单元格在运行 {limit:g} 秒真实时间后被停止（无限循环，还是阻塞的调用？）",
        "\n[output cut: the notebook printed more than {kb} kB]\n": "\n[输出已截断：笔记本打印的内容超过了 {kb} kB]\n",
        "this test cell did not report its score: it did not run to its end (did code earlier in the notebook "
        "change how cells run?)":
            "这个测试单元格没有报告得分：它没有运行到最后（是不是笔记本前面的代码改变了单元格的运行方式？）",
        "this submission could not be graded: {reason}": "这份提交无法评分：{reason}",
        # ---- make validate: its report ----
        "{name}: Success! Every test passes.": "{name}：成功！所有测试都通过了。",
        "A cell's type was changed (change it back):": "有单元格的类型被改动了（请改回去）：",
        "A test cell was edited (undo the edit; the grader restores it):":
            "有测试单元格被编辑过（请撤销修改；评分程序会恢复它）：",
        "This cell failed:": "这个单元格未通过：",
        "The error was:": "错误信息：",
        "{name}: {problems} problem(s); fix them and validate again.":
            "{name}：{problems} 个问题；请修正后再次验证。",
        "**This submission could not be graded automatically:** {reason}. Its tests score 0; ask your "
        "instructor.": "**这份提交无法自动评分：**{reason}。它的测试记 0 分；请联系你的老师。",
    },
}

#: The fonts a language's text needs after the course's own (matplotlib falls back glyph by
#: glyph), each with the start of its files' names (Debian: /usr/share/fonts/opentype/noto/).
FONTS = {"zh": {"Noto Sans CJK SC": "NotoSansCJK"}}


def _known_language(chosen: object) -> str:
    chosen = str(chosen or "").strip().lower()
    return chosen if chosen in CATALOGUE else "en"


def language() -> str:
    """The language in force: :func:`speaking`'s, else ``AIOLAB_LANGUAGE``'s, else English."""
    chosen = _chosen.get()
    return _known_language(os.environ.get(VARIABLE, "") if chosen is None else chosen)


@contextlib.contextmanager
def speaking(chosen: str | None) -> Iterator[str]:
    """Messages made in this block (and in the threads it starts with its context, such as
    :func:`aiolab.run_virtual`'s) are in ``chosen`` (None or unknown: English). For the
    grader's own process, which judges notebooks of both editions in one run::

        with messages.speaking(messages.notebook_language(nb)):
            outputs = judge_cell(...)
    """
    token = _chosen.set(_known_language(chosen))
    try:
        yield language()
    finally:
        _chosen.reset(token)


def notebook_language(nb: Mapping) -> str:
    """The language of a notebook: its ``metadata.course_edition.language`` (absent: English)."""
    edition = (nb.get("metadata") or {}).get(METADATA_KEY) or {}
    return _known_language(edition.get("language") if isinstance(edition, Mapping) else None)


def _(message: str, **fields: object) -> str:
    """``message`` (an English template) in the language in force, with ``fields`` filled
    in after the lookup (``str.format``: ``{limit:g}``, ``{task!r}``)."""
    text = CATALOGUE.get(language(), {}).get(message, message)
    return text.format(**fields) if fields else text


#: Scenario titles (what a learner sees beside each ✓ and ✗), by language: the English
#: title -> its translation, in a module of their own (200 of them, one per requirement of
#: every exercise). A title without one is shown in English.
TITLES = {"zh": "aiolab._titles_zh"}


def title(text: str) -> str:
    """A scenario's title in the language in force (titles are plain strings: looked up as they are)."""
    return _looked_up(TITLES, "TITLES", text)


#: The titles lessons give their charts (``plot(tl, title=...)``, ``plot_side_by_side(...,
#: titles=...)``), by language, in a module of their own: the lesson's code is the same in
#: every edition, so a chart's title is translated when it is drawn. A lesson's text names a
#: chart by its title, so a translated lesson names it by the translated title.
CHARTS = {"zh": "aiolab._charts_zh"}


def chart(text: str) -> str:
    """A chart's title in the language in force."""
    return _looked_up(CHARTS, "CHARTS", text)


def _looked_up(tables: Mapping[str, str], table: str, text: str) -> str:
    module = tables.get(language())
    if not module:
        return text
    import importlib

    return getattr(importlib.import_module(module), table).get(text, text)


#: Failure details (what a check says went wrong, written per exercise in the lessons' test
#: cells and the grader's checks), by language: the English *template* -> its translation,
#: in a module of their own. A template is the f-string that made the message, with each
#: ``{expression}`` as written in the source (the build tools find them all,
#: and a test fails on one with no translation). A detail matching none stays in English.
DETAILS = {"zh": "aiolab._details_zh"}
#: How deep :func:`detail` translates the values inside a message (one message's ``{why}``
#: is often another check's message).
_DEPTH = 3


def template_parts(text: str) -> list[tuple[str, bool]]:
    """A template split into (literal text, False) and (placeholder, True) parts, in order:
    ``{{``/``}}`` are literal braces; a placeholder runs to its matching brace, past braces
    and quotes inside its expression (``{', '.join(late)}``, ``{first['delay']:g}``)."""
    parts: list[tuple[str, bool]] = []
    literal, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch in "{}" and text[i + 1:i + 2] == ch:
            literal.append(ch)
            i += 2
        elif ch == "{":
            depth, j, quote = 0, i, ""
            while j < len(text):
                c = text[j]
                if quote:
                    quote = "" if c == quote else quote
                elif c in "'\"":
                    quote = c
                elif c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if literal:
                parts.append(("".join(literal), False))
                literal = []
            parts.append((text[i:j + 1], True))
            i = j + 1
        else:
            literal.append(ch)
            i += 1
    if literal:
        parts.append(("".join(literal), False))
    return parts


class _Detail(NamedTuple):
    literals: list[str]         # the template's literal parts, in order (a quick test first)
    pattern: re.Pattern[str]    # the whole message, each placeholder a group
    groups: dict[str, str]      # placeholder -> its group's name
    translated: str


_COMPILED: dict[str, list[_Detail]] = {}


def _templates(module: str, table: str) -> list[_Detail]:
    """The templates of ``module``'s dict ``table`` that have placeholders, compiled once."""
    if module not in _COMPILED:
        import importlib

        compiled = []
        for english, translated in getattr(importlib.import_module(module), table).items():
            groups: dict[str, str] = {}
            pattern, literals = [], []
            for part, is_field in template_parts(english):
                if not is_field:
                    pattern.append(re.escape(part))
                    literals.append(part)
                elif part in groups:
                    pattern.append(f"(?P={groups[part]})")
                else:
                    groups[part] = f"g{len(groups)}"
                    pattern.append(f"(?P<{groups[part]}>.*?)")
            if literals:
                compiled.append(_Detail(literals, re.compile("".join(pattern), re.DOTALL), groups, translated))
        # The most specific first: "{should}; it returned {x}" must not take a message that
        # a template with more of its words made.
        compiled.sort(key=lambda known: -sum(map(len, known.literals)))
        _COMPILED[module] = compiled
    return _COMPILED[module]


def _in_order(text: str, literals: list[str]) -> bool:
    at = 0
    for literal in literals:
        at = text.find(literal, at)
        if at < 0:
            return False
        at += len(literal)
    return True


def detail(text: str, _depth: int = _DEPTH) -> str:
    """A failure detail in the language in force. ``text`` is the English message a check
    made; if one of :data:`DETAILS`' templates made it, its translation is filled with the
    same values (each translated in turn when it is itself a detail). Otherwise ``text``."""
    module = DETAILS.get(language())
    return _matched(text, module, "DETAILS", _depth) if module and text else text


def series(parts: Iterable[str], link: str = "and") -> str:
    """Failure-detail ``parts`` as one phrase in the language in force: "a, b and c"
    (``link="and"``), "a, b, c" (``"comma"``), "a, then b, then c" (``"then"``) or "a; b; c"
    (``"semicolon"``). A phrase joined in English would match no template of :func:`detail`
    and stay English inside a translated message, so each part is translated first and the
    joining words are the language's own (Chinese: "a、b 和 c", "a，然后 b"). The course's
    build tools list a part as a template when it is written in the call:
    ``series([f"..." for ...])``."""
    if link not in ("and", "comma", "then", "semicolon"):
        raise ValueError(f"series() joins with 'and', 'comma', 'then' or 'semicolon', not {link!r}")
    parts = [detail(part) for part in parts]
    phrase = parts[0] if parts else ""
    for n, part in enumerate(parts[1:], 2):
        if link == "then":
            phrase = _("{earlier}, then {part}", earlier=phrase, part=part)
        elif link == "semicolon":
            phrase = _("{earlier}; {part}", earlier=phrase, part=part)
        elif link == "comma" or n < len(parts):
            phrase = _("{earlier}, {part}", earlier=phrase, part=part)
        else:
            phrase = _("{earlier} and {part}", earlier=phrase, part=part)
    return phrase


def _matched(text: str, module: str, table: str, depth: int) -> str:
    """``text`` translated by the first template of ``module``'s ``table`` that made it, else
    ``text``; the values in it go through :func:`detail`, ``depth`` levels deep."""
    if depth <= 0:
        return text
    for known in _templates(module, table):
        if not _in_order(text, known.literals):
            continue
        found = known.pattern.fullmatch(text)
        if found is None:
            continue
        return "".join(detail(found.group(known.groups[part]), depth - 1) if is_field and part in known.groups
                       else part for part, is_field in template_parts(known.translated))
    return text


def _known(family: str, files: str) -> bool:
    """Whether matplotlib knows ``family``; a font installed after matplotlib cached its
    list of fonts (make chromium installs the CJK fonts) is added from the system's fonts."""
    from matplotlib import font_manager

    def known() -> bool:
        return any(f.name == family for f in font_manager.fontManager.ttflist)

    if not known():
        for path in font_manager.findSystemFonts():
            if os.path.basename(path).startswith(files):
                font_manager.fontManager.addfont(path)
    return known()


def fonts() -> dict[str, object]:
    """matplotlib settings for the language's text (nothing for English, or when its fonts
    are not installed: then matplotlib warns of every missing glyph)."""
    extra = [family for family, files in FONTS.get(language(), {}).items() if _known(family, files)]
    return {"font.family": ["DejaVu Sans", *extra]} if extra else {}
