"""The Chinese of every failure detail of the course's graded checks (aiolab.messages.detail).

Keys are the English templates as the course's build tools find them in the checks' source (an
f-string with each {expression} as written); a test fails when a check's message has no entry
here, or an entry no message any more. Sorted by the English."""

DETAILS: dict[str, str] = {
    ' (a CancelledError is never turned into a normal return)':
        '（CancelledError 永远不会变成正常返回）',
    '10 jobs of 1 s through 3 workers take ceil(10 / 3) = 4 rounds of 1 s.':
        '10 个 1 秒的作业交给 3 个工作者，需要 ceil(10 / 3) = 4 轮，每轮 1 秒。',
    '20 jobs of 1 to 20 s, all at once, take 20 s':
        '20 个耗时 1 到 20 秒的作业同时运行，用时 20 秒',
    '20 jobs of 1 to 5 s run concurrently take 5 s.':
        '20 个耗时 1 到 5 秒的作业并发运行，用时 5 秒。',
    '20 jobs: expected [0, 1, ..., 19] in input order, got {_shown(result)}':
        '20 个作业：预期按输入顺序得到 [0, 1, ..., 19]，实际得到 {_shown(result)}',
    '200 jobs of 4 s each should all run at once.':
        '200 个各耗时 4 秒的作业应该全部同时运行。',
    '3 s after crawl returned, {run.open_connections} of its connections were still open: close the client (or session) before returning, e.g. with `async with httpx.AsyncClient() as client:`':
        'crawl 返回 3 秒后，它的连接中仍有 {run.open_connections} 个处于打开状态：请在返回前关闭客户端（或会话），例如使用 `async with httpx.AsyncClient() as client:`',
    '3 s for the attempt that timed out, then 1 s for the one that succeeded':
        '超时的那次尝试用 3 秒，然后成功的那次用 1 秒',
    "3 threads called client.call(meet, i) at the same time; after {facts.get('after'):g} s, {facts['blocked']} of them were still blocked: each coroutine waits at a barrier for the others, so calls from different threads must run concurrently on the loop (no lock held for the whole call, no loop per call)":
        "3 个线程同时调用了 client.call(meet, i)；{facts.get('after'):g} 秒后，其中 {facts['blocked']} 个仍被阻塞：每个协程都在一道屏障处等待其他协程，因此来自不同线程的调用必须在事件循环上并发运行（不要在整个调用期间持有锁，也不要每次调用都用一个新的事件循环）",
    '404: final; flaky: one retry; 503: retried twice':
        '404：最终结果；flaky：重试一次；503：重试两次',
    '503, 503, then 200: retry should return 200, not {run.result!r}':
        '503、503，然后 200：retry 应该返回 200，而不是 {run.result!r}',
    "6 pages of 0.3 s with limit=1 and timeout=1: each request takes 0.3 s once it has its slot, so every page should give 200; got {run.results!r}. The last pages wait 1.5 s for a slot: does your timeout start before the request has its slot (aiohttp's ClientTimeout(total=...) with a connector limit counts the wait for a connection)?":
        '6 个 0.3 秒的页面，limit=1、timeout=1：每个请求拿到名额后只需 0.3 秒，因此每个页面都应得到 200；实际得到 {run.results!r}。最后几个页面要等 1.5 秒才能拿到名额：你的超时是不是在请求拿到名额之前就开始计时了（aiohttp 的 ClientTimeout(total=...) 配合连接器的 limit 使用时，会把等待连接的时间也算进去）？',
    '8 /items pages should give [200] * 8, not {run.results!r}':
        '8 个 /items 页面应当得到 [200] * 8，而不是 {run.results!r}',
    ': the sleeps come in the order of the list, the first one first':
        '：这些 sleep 按列表的顺序进行，第一个最先',
    'A delay of 0 waits no time at all.':
        '延迟为 0 时完全不等待。',
    'A future made at {at:g} s with delay {delay:g} is done at {at + delay:g} s: the delay counts from the call.':
        '在 {at:g} 秒时创建、延迟为 {delay:g} 的 `Future` 对象在 {at + delay:g} 秒时完成：延迟从调用时开始计算。',
    'After gc.collect(), running() should still be [{name!r}]; it was {after_gc!r}: the task was garbage-collected, so BackgroundJobs holds no strong reference to it.':
        'gc.collect() 之后，running() 应该仍为 [{name!r}]；实际为 {after_gc!r}：这个任务被垃圾回收了，说明 BackgroundJobs 没有持有它的强引用。',
    "After the caller cancels the job 'doomed' at t = {cancel_after:g} s, wait_all() should wait for the other job and return without raising, and 'doomed' should end cancelled: expected (doomed.cancelled(), running()) == (True, []); got {got!r}":
        "调用者在 t = {cancel_after:g} 秒时取消作业 'doomed' 后，wait_all() 应该等待另一个作业，然后正常返回而不抛出异常，并且 'doomed' 应该以已取消状态结束：预期 (doomed.cancelled(), running()) == (True, [])；实际得到 {got!r}",
    'All the tasks wait together, for exactly `delay` seconds.':
        '所有任务一起等待，恰好等待 `delay` 秒。',
    'An empty list of jobs has nothing to wait for.':
        '作业列表为空时，没有任何需要等待的。',
    'At most retries + 1 attempts, and no wait after the last one.':
        '最多 retries + 1 次尝试，且最后一次尝试之后不再等待。',
    'At t = {cancel_after:g} s, cancel_all() should cancel {_listed(expected)} (not {early[0]!r}, which had finished), wait until their {cleanup:g} s cleanup is done, and return {expected!r}; got (returned, cleaned up, running(), {early[0]} cancelled) = {got!r}':
        '在 t = {cancel_after:g} 秒时，cancel_all() 应该取消 {_listed(expected)}（而不是已经完成的 {early[0]!r}），等待它们 {cleanup:g} 秒的清理完成，然后返回 {expected!r}；实际得到（返回值，已清理的作业，running()，{early[0]} 是否被取消）= {got!r}',
    'Awaiting Later(value, 2) should take exactly 2 s.':
        'await Later(value, 2) 应该恰好耗时 2 秒。',
    'Awaiting Later(value, {delay:g}) should take exactly {delay:g} s.':
        'await Later(value, {delay:g}) 应该恰好耗时 {delay:g} 秒。',
    'Awaiting the same Later({value!r}, {delay:g}) twice should give {value!r} both times; got {got!r}':
        '对同一个 Later({value!r}, {delay:g}) await 两次，两次都应该得到 {value!r}；实际得到 {got!r}',
    'BackgroundJobs still holds a task that has finished (its caller awaited it, nobody called wait_all()): it should drop each task as soon as it is done.':
        'BackgroundJobs 仍然持有一个已经完成的任务（它的调用者 await 了它，没有人调用 wait_all()）：每个任务一完成，BackgroundJobs 就应该丢掉它。',
    'BackgroundJobs still holds a task that has finished after wait_all() returned.':
        'wait_all() 返回之后，BackgroundJobs 仍然持有一个已经完成的任务。',
    'Before retry k wait base * 2 ** (k - 1): 0.5, 1 and 2 s here.':
        '第 k 次重试前等待 base * 2 ** (k - 1)：这里分别是 0.5、1 和 2 秒。',
    'Before retry k wait base * 2 ** (k - 1): {base:g}, {2 * base:g} and {4 * base:g} s here.':
        '第 k 次重试前等待 base * 2 ** (k - 1)：这里分别是 {base:g}、{2 * base:g} 和 {4 * base:g} 秒。',
    "Called when the loop's clock read {at} s, staircase({delays!r}) returned {got!r}, expected {_ends(delays)!r}: each time is counted from the moment staircase was called, not from the loop's time 0.":
        '在事件循环的时钟读数为 {at} 秒时调用，staircase({delays!r}) 返回了 {got!r}，预期为 {_ends(delays)!r}：每个时间都从调用 staircase 的那一刻算起，而不是从事件循环的时间 0 算起。',
    "Creating Later('never awaited', 1) and never awaiting it caused the warning {never[0]!r}: creating a Later must not create a coroutine (make it in __await__, on each await).":
        "创建 Later('never awaited', 1) 而从不 await 它，引发了警告 {never[0]!r}：创建 Later 时不能创建协程（应在 __await__ 中、每次 await 时创建）。",
    "Creating Later('never awaited', 1) started a task ({', '.join(map(str, started or ['?']))}): creating a Later must start nothing; the waiting begins when it is awaited.":
        "创建 Later('never awaited', 1) 启动了任务（{', '.join(map(str, started or ['?']))}）：创建 Later 时不能启动任何东西；等待要在它被 await 时才开始。",
    'Each await of the same instance should wait the full delay again.':
        '对同一个实例的每次 await 都应该重新等待完整的延迟。',
    'Each sleep should start when the previous one ends: 1 + 2 + 0.5 s.':
        '每次 sleep 应该在前一次结束时才开始：1 + 2 + 0.5 秒。',
    'Each sleep should start when the previous one ends: {sum(delays):g} s in all.':
        '每次 sleep 应该在前一次结束时才开始：总共 {sum(delays):g} 秒。',
    'Each worker must take the next waiting job as soon as it is free, whatever the others are doing.':
        '每个工作者一空闲就必须接手下一个等待中的作业，无论其他工作者在做什么。',
    "Expected one task per job, named 'a' and 'b' in that order; your code created {names}":
        "预期每个作业对应一个任务，依次命名为 'a' 和 'b'；你的代码创建的是 {names}",
    'Expected one task per job, named after it, in the order of jobs; your code created {names}':
        '预期每个作业对应一个任务，以作业命名，按作业的顺序排列；你的代码创建的是 {names}',
    'Expected one task per job, named {_listed(expected)} in that order; your code created {names}':
        '预期每个作业对应一个任务，依次命名为 {_listed(expected)}；你的代码创建的是 {names}',
    'Gathered Later objects should wait side by side.':
        '用 gather 汇集的多个 Later 对象应该并发地等待。',
    'Job {name!r} should end cancelled; it ended {outcome!r}':
        '作业 {name!r} 应该以已取消状态结束；它的结束状态是 {outcome!r}',
    'Jobs of {shown} s run concurrently take {max(delays):g} s.':
        '耗时 {shown} 秒的作业并发运行，用时 {max(delays):g} 秒。',
    "KeyError('inside') raised inside `with SyncClient():` should propagate; it {facts.get('said')}":
        "在 `with SyncClient():` 内部抛出的 KeyError('inside') 应当向外传播；实际：{facts.get('said')}",
    "Later('x', {delay:g}) was created {got}: a negative delay must be refused with ValueError when the instance is created, before anyone awaits it.":
        "创建 Later('x', {delay:g}) 的结果是 {got}：负的延迟必须在创建实例时就用 ValueError 拒绝，不能等到有人 await 它。",
    'Not written yet: the code still raises NotImplementedError.':
        '尚未完成：代码仍然抛出 NotImplementedError。',
    'One call took {alone.elapsed:g} s, two calls started together took {together.elapsed:g} s: while one call waits, the other cannot run. Wait with `await asyncio.sleep(...)`.':
        '一次调用耗时 {alone.elapsed:g} 秒，同时启动的两次调用耗时 {together.elapsed:g} 秒：一次调用在等待时，另一次无法运行。请用 `await asyncio.sleep(...)` 来等待。',
    'Other work held the loop from t = 0.5 to t = {until:g}, so the 1 s sleep ended late, at t = {until:g}; the 2 s sleep must start only then, and end at t = {until + 2:g}. Sleeps started together, or until deadlines computed in advance, end too early.':
        '其他工作从 t = 0.5 到 t = {until:g} 一直占用着事件循环，所以 1 秒的 sleep 迟到了，在 t = {until:g} 才结束；2 秒的 sleep 必须从那时才开始，并在 t = {until + 2:g} 结束。同时启动的多个 sleep，或者一直 sleep 到预先算好的截止时间，都会结束得太早。',
    "Other work held the loop from t = 2.5 to t = {until:g}, so the 2 s sleep, due at t = 3, ended at t = {until:g}: staircase([1, 2]) should return [1, {until:g}] here; it returned {got!r}. Adding up the delays gives the time a sleep should have ended, not the time it did: only the loop's clock, read after the sleep, tells.":
        '其他工作从 t = 2.5 到 t = {until:g} 一直占用着事件循环，所以本应在 t = 3 结束的 2 秒 sleep 在 t = {until:g} 才结束：这时 staircase([1, 2]) 应该返回 [1, {until:g}]；它返回的是 {got!r}。把延迟加起来得到的是 sleep 本应结束的时间，而不是它实际结束的时间：只有在 sleep 之后读取事件循环的时钟才能知道。',
    'SyncClient() should store its event loop as the attribute `loop`':
        'SyncClient() 应当把它的事件循环保存为属性 `loop`',
    "SyncClient() should store the loop's thread as the attribute `thread`":
        'SyncClient() 应当把事件循环所在的线程保存为属性 `thread`',
    "Task {name!r} should end with its job's value; it ended {rec.outcome!r}":
        '任务 {name!r} 应该以其作业的值结束；它的结束状态是 {rec.outcome!r}',
    'Task {name!r} was created at t = {rec.created:g} s; create every task at once, before awaiting any of them.':
        '任务 {name!r} 是在 t = {rec.created:g} 秒时创建的；请一次性创建所有任务，然后再 await 其中任何一个。',
    'Task {name!r} was created by the task {rec.parent_name!r}, not by start_all itself: create every task directly in start_all.':
        '任务 {name!r} 是由任务 {rec.parent_name!r} 创建的，而不是由 start_all 本身创建：请直接在 start_all 中创建每个任务。',
    'The downloads should overlap: the longest (2 s) sets the time.':
        '下载应该相互重叠：由最长的那个（2 秒）决定总用时。',
    'The downloads should overlap: the longest ({longest:g} s) sets the time.':
        '各个下载应当相互重叠：总用时由最长的那个（{longest:g} 秒）决定。',
    'The downloads should overlap: the longest one ({longest:g} s) sets the time.':
        '各个下载应当相互重叠：总用时由最长的那一个（{longest:g} 秒）决定。',
    'The jobs must run at the same time: create all the tasks before awaiting any.':
        '这些作业必须同时运行：先创建所有任务，再 await 其中任何一个。',
    "The kernel's answer was malformed (did code in the notebook change how cells run?).":
        '内核返回的答复格式有误（笔记本中的代码是否改变了单元格的运行方式？）。',
    "The kernel's answer was malformed: {data!r}":
        '内核返回的结果格式有误：{data!r}',
    "The kernel's answer was malformed: {got!r}":
        '内核返回的结果格式有误：{got!r}',
    "The kernel's answer was malformed: {seen!r}":
        '内核返回的结果格式有误：{seen!r}',
    'The longest chain is user → orders (1 + 2 s); everything else should fit beside it.':
        '最长的依赖链是 user → orders（1 + 2 秒）；其余一切都应与它同时进行，在这段时间内完成。',
    'The timer should complete the future after exactly `delay` seconds.':
        '定时器应该恰好在 `delay` 秒后完成这个 `Future` 对象。',
    'The timer should set the exception after exactly `delay` seconds.':
        '定时器应该恰好在 `delay` 秒后设置异常。',
    'The timers wait at the same time: the longest is {longest:g} s.':
        '各个定时器是同时等待的：最长的一个为 {longest:g} 秒。',
    'Three jobs of 3, 1 and 2 s run concurrently take 3 s.':
        '耗时 3、1、2 秒的三个作业并发运行，共需 3 秒。',
    'When the library {said}, with timeout={timeout!r}':
        '当库{said}，且 timeout={timeout!r} 时',
    'While one worker runs the 4 s job, the other must take the 1 s jobs one after another, each as soon as it is free.':
        '一个工作者运行 4 秒的作业时，另一个必须一个接一个地接手 1 秒的作业，每次一空闲就接手下一个。',
    'With DELAYS = {delays} the longest chain takes {longest:g} s.':
        '当 DELAYS = {delays} 时，最长的依赖链用时 {longest:g} 秒。',
    "With a job 'bad' that raises {error[0]} at t = {fails_after:g} s and a job 'good' of {good_for:g} s, wait_all() should wait for both and return without raising: expected (bad's exception, good's value, running()) == ({error[0]!r}, {good_value!r}, []); got {got!r}":
        "有一个在 t = {fails_after:g} 秒时抛出 {error[0]} 的作业 'bad'，和一个耗时 {good_for:g} 秒的作业 'good'，wait_all() 应该等待两者，然后正常返回而不抛出异常：预期（bad 的异常，good 的值，running()）== ({error[0]!r}, {good_value!r}, [])；实际得到 {got!r}",
    'With no delays there is nothing to wait for.':
        '没有延迟时，就没有什么需要等待的。',
    'With no jobs there is nothing to wait for.':
        '没有作业时，就没有什么需要等待的。',
    'With no jobs, cancel_all() should return [] and running() []; got {got!r}':
        '没有作业时，cancel_all() 应该返回 []，running() 应该为 []；实际得到 {got!r}',
    'With no jobs, wait_all() and cancel_all() must not wait.':
        '没有作业时，wait_all() 和 cancel_all() 都不能等待。',
    'With {workers} workers the {n} jobs run together, in {max(seconds):g} s.':
        '有 {workers} 个工作者时，这 {n} 个作业同时运行，用时 {max(seconds):g} 秒。',
    "Your code did not finish within {got['timed_out']:g} s of real time: it waits for something that never happens, or loops without ever waiting.":
        "你的代码在 {got['timed_out']:g} 秒真实时间内没有结束：它在等待一件永远不会发生的事，或者在循环中从不等待。",
    'Your code raised TimeoutError':
        '你的代码抛出了 TimeoutError',
    "`with SyncClient() as c:` should bind c to the client; it bound {facts.get('shown')}":
        "`with SyncClient() as c:` 应当把 c 绑定到客户端；它实际绑定的是 {facts.get('shown')}",
    'a 404 is final: expected 404 after 1 call, got {run.result!r} after {attempt.calls} calls':
        '404 是最终结果：预期调用 1 次后得到 404，实际在调用 {attempt.calls} 次后得到 {run.result!r}',
    'a URL whose server is gone (connection refused) should give None: expected {[None] * len(pages)}, got {run.results!r}':
        '服务器已不存在（连接被拒绝）的 URL 应当得到 None：预期 {[None] * len(pages)}，实际得到 {run.results!r}',
    'a cancelled future must stay cancelled; it ended with {state}':
        '被取消的 `Future` 对象必须保持取消状态；它最终的状态是：{state}',
    'a fetch that finishes in time is returned as soon as it is done':
        '在时限内完成的 fetch，一完成就返回它的值',
    'a job listed twice runs twice and each place in the list gets the value of its own run: expected {expected!r}, got {_shown(result)}':
        '列出两次的作业运行两次，列表中的每个位置得到它自己那次运行的值：预期为 {expected!r}，实际得到 {_shown(result)}',
    "a job that *returns* an exception object succeeded: expected results [{_shown_error(*returns['returns_error'])}, None, {final['value']!r}], got {_shown(results)}":
        "*返回*异常对象的作业算作成功：预期 results 为 [{_shown_error(*returns['returns_error'])}, None, {final['value']!r}]，实际得到 {_shown(results)}",
    "a new collector's log must be empty; make_collector() returned a log holding {length} entries already, the first {_readable(first)!r} (left by earlier calls?)":
        '新收集器的日志必须为空；make_collector() 返回的日志中已经有 {length} 个条目，第一个是 {_readable(first)!r}（是之前的调用留下的吗？）',
    'a page that answers after 20 s, with timeout=1: its attempts time out, so its result is None (after an {item} page: [200, None]); got {run.results!r}':
        '一个 20 秒后才应答的页面，timeout=1：它的每次尝试都会超时，所以它的结果是 None（排在一个 {item} 页面之后：[200, None]）；实际得到 {run.results!r}',
    'a {status} is final: expected {status} after 1 call, got {did.gave} after {did.calls} calls':
        '{status} 是最终结果：预期调用 1 次后得到 {status}，实际调用 {did.calls} 次后得到 {did.gave}',
    "add_later('a', 'b', 0) should return 'ab'":
        "add_later('a', 'b', 0) 应该返回 'ab'",
    'add_later(..., {delay}) should wait {delay} s, once.':
        'add_later(..., {delay}) 应该等待 {delay} 秒，且只等一次。',
    'add_later(1, 2, 0.01) should return 3':
        'add_later(1, 2, 0.01) 应该返回 3',
    'after a TimeoutError or ConnectionError, wait as after a 5xx: attempts should start at t = {_times(started)}, they started at t = {_times(did.starts)}':
        '出现 TimeoutError 或 ConnectionError 后，要像遇到 5xx 一样等待：尝试应当在 t = {_times(started)} 时开始，实际在 t = {_times(did.starts)} 时开始',
    'after a timeout, client.call(add, {a}, {b}) returned {got!r}, expected {a + b}':
        '超时之后，client.call(add, {a}, {b}) 返回了 {got!r}，预期为 {a + b}',
    'after close(), the loop should be closed (loop.close() once it has stopped)':
        'close() 之后，事件循环应该已经关闭（在它停止后调用 loop.close()）',
    'after run_in_new_loop returned, the loop it created is still open: close it':
        'run_in_new_loop 返回之后，它创建的事件循环仍未关闭：请关闭它',
    "after run_in_new_loop returned, the thread's current loop is still {returned['current_loop']}: unset it with asyncio.set_event_loop(None)":
        "run_in_new_loop 返回之后，该线程的当前事件循环仍然是 {returned['current_loop']}：请用 asyncio.set_event_loop(None) 清除它",
    "after the `with` block, the client's loop thread was still running: leaving it should close the client":
        '`with` 代码块结束后，客户端的事件循环线程仍在运行：离开代码块时应当关闭客户端',
    "after the future was {what} at {after:g} s the timer still fired at {delay:g} s, and the loop reported: {got['reports'][0]!r}":
        "在 {after:g} 秒时 `Future` 对象已经 {what}，但定时器仍在 {delay:g} 秒时触发了，事件循环报告：{got['reports'][0]!r}",
    "all jobs succeed: expected ['A', 'B', 'C'] in input order, got {run.result!r}":
        "所有作业都成功：预期按输入顺序得到 ['A', 'B', 'C']，实际得到 {run.result!r}",
    'all jobs succeed: expected {values!r} in input order, got {_shown(result)}':
        '所有作业都成功：预期按输入顺序得到 {values!r}，实际得到 {_shown(result)}',
    "all_or_nothing raised {_shown(value)}: raise the job's own exception, not a group":
        'all_or_nothing 抛出了 {_shown(value)}：应当抛出作业自己的异常，而不是异常组',
    'all_or_nothing([]) should return [], got {_shown(result)}':
        'all_or_nothing([]) 应当返回 []，实际得到 {_shown(result)}',
    'an async generator left open was never closed: call loop.shutdown_asyncgens() before closing the loop':
        '遗留下来未关闭的异步生成器始终没有被关闭：请在关闭事件循环之前调用 loop.shutdown_asyncgens()',
    "an attempt raising {_shown(bug)}: retry must let it out at once (1 call, at t = 1); it gave {did.gave} after {did.calls} calls, at t = {elapsed if elapsed is not None else float('nan'):g}":
        "一次尝试抛出了 {_shown(bug)}：retry 必须立即让它传播出去（只调用 1 次，在 t = 1 时）；实际调用 {did.calls} 次后得到 {did.gave}，时间为 t = {elapsed if elapsed is not None else float('nan'):g}",
    'asyncio.gather({shown}) gave {got!r}, expected {values!r}':
        'asyncio.gather({shown}) 得到了 {got!r}，预期为 {values!r}',
    'attempt {n + 1} started at {log[n][0]:g} s, before attempt {n} had ended: attempts must run one at a time ({_attempts(log)})':
        '第 {n + 1} 次尝试在 {log[n][0]:g} 秒时开始，而那时第 {n} 次尝试还没有结束：尝试必须一次只运行一个（{_attempts(log)}）',
    'attempts should start at t = [0, 2, 5] (waits of 1 s, then 2 s), not {started}':
        '各次尝试应该在 t = [0, 2, 5] 开始（先等 1 秒，再等 2 秒），而不是 {started}',
    'attempts should start at t = {_times(started)} ({waits}), not {_times(did.starts)}':
        '尝试应当在 t = {_times(started)} 时开始（{waits}），而不是 {_times(did.starts)}',
    "await Later('tea', 2) gave {value!r}, expected 'tea'":
        "await Later('tea', 2) 得到了 {value!r}，预期为 'tea'",
    'awaiting future_after(1, exception=e) should raise e itself, got {run.result!r}':
        'await future_after(1, exception=e) 应该抛出 e 本身，实际得到 {run.result!r}',
    "awaiting future_after(2, 'x') should give 'x', got {run.result!r}":
        "await future_after(2, 'x') 应该得到 'x'，实际得到 {run.result!r}",
    'awaiting future_after({delay:g}, exception=e) should raise e itself, got {shown}':
        'await future_after({delay:g}, exception=e) 应当抛出 e 本身，实际得到 {shown}',
    'awaiting {_call(0, value)} should give {value!r}, got {shown}':
        'await {_call(0, value)} 应当得到 {value!r}，实际得到 {shown}',
    'awaiting {_call(delay, value)} should give {value!r}, got {_readable(got)!r}':
        'await {_call(delay, value)} 应当得到 {value!r}，实际得到 {_readable(got)!r}',
    'awaiting {_call(delay, value)} should give {value!r}, got {shown}':
        'await {_call(delay, value)} 应当得到 {value!r}，实际得到 {shown}',
    "b raised ValueError('b failed'): expected ('b', 'exception', that very exception object), got {got!r}":
        "b 抛出了 ValueError('b failed')：预期为 ('b', 'exception', <正是那个异常对象>)，实际得到 {got!r}",
    'both calls ran on the same loop: each call must create a new loop':
        '两次调用运行在同一个事件循环上：每次调用都必须创建一个新的事件循环',
    'cancel_all() must wait for the {cleanup:g} s cleanup of the cancelled jobs.':
        'cancel_all() 必须等待被取消的作业完成 {cleanup:g} 秒的清理。',
    'cancel_all() should then cancel {name!r} and return [{name!r}]; got {cancelled!r}':
        '然后 cancel_all() 应该取消 {name!r} 并返回 [{name!r}]；实际得到 {cancelled!r}',
    "cancelled during write at 1 s, close() must still run once, from 1 to 3 s; close calls: {conn.log['close']}":
        "在 1 秒、write 进行期间被取消时，close() 仍必须运行一次，从 1 到 3 秒；close 的调用记录：{conn.log['close']}",
    "cancelled during write at {x:g} s, close() must still run once, from {x:g} to {x + c:g} s; close calls: {out['close']}":
        "在 {x:g} 秒时、write 期间被取消，close() 仍必须运行一次，从 {x:g} 秒到 {x + c:g} 秒；实际的 close 调用：{out['close']}",
    "checksum() ran on the event loop's thread for {on_loop}; run it in a worker thread with `await asyncio.to_thread(checksum, data)`":
        '对于 {on_loop}，checksum() 是在事件循环所在的线程上运行的；请用 `await asyncio.to_thread(checksum, data)` 在工作线程中运行它',
    "checksum() should be called once per job, with that job's data; it got {got}":
        '每个作业应当调用一次 checksum()，并传入该作业的数据；它收到的是 {got}',
    'checksum() should run once per job (3 jobs), it ran {len(calls)} times':
        'checksum() 应当对每个作业各运行一次（共 3 个作业），它却运行了 {len(calls)} 次',
    'checksum() was never called in this process: call it by its name, in a thread, with `await asyncio.to_thread(checksum, data)`':
        '在这个进程中 checksum() 从未被调用：请按它的名字在线程中调用它，即 `await asyncio.to_thread(checksum, data)`',
    "client.call(add, 1, 2) after close() should raise RuntimeError; it {facts.get('said')}":
        "close() 之后调用 client.call(add, 1, 2) 应当抛出 RuntimeError；实际：{facts.get('said')}",
    'client.call(add, 2, 3) returned {got!r}, expected 5':
        'client.call(add, 2, 3) 返回了 {got!r}，预期为 5',
    'client.call(add, i, i) for i in 0, 1, 2 returned {sums[:3]}, expected [0, 2, 4]':
        '对 i 为 0, 1, 2 调用 client.call(add, i, i)，返回了 {sums[:3]}，预期为 [0, 2, 4]',
    'client.call(add, {_args(pairs[3])}) returned {sums[3:]}, expected {want[3:]}':
        'client.call(add, {_args(pairs[3])}) 返回了 {sums[3:]}，预期为 {want[3:]}',
    'client.call(add, {_args(timed)}, timeout=5) returned {got!r}, expected {sum(timed)}':
        'client.call(add, {_args(timed)}, timeout=5) 返回了 {got!r}，预期为 {sum(timed)}',
    'client.call(add, {a}, {b}) returned {got!r}, expected {a + b}':
        'client.call(add, {a}, {b}) 返回了 {got!r}，预期为 {a + b}',
    "client.call(fail, 'boom') raised ValueError({str(err)!r}), expected ValueError('boom')":
        "client.call(fail, 'boom') 抛出了 ValueError({str(err)!r})，预期为 ValueError('boom')",
    "client.call(fail, 'boom') returned; it should raise the coroutine's ValueError('boom')":
        "client.call(fail, 'boom') 正常返回了；它应该抛出协程的 ValueError('boom')",
    'client.call(fail, {message!r}) raised ValueError({got!r}), expected ValueError({message!r})':
        'client.call(fail, {message!r}) 抛出了 ValueError({got!r})，预期为 ValueError({message!r})',
    "client.call(fail, {message!r}) returned; it should raise the coroutine's ValueError({message!r})":
        'client.call(fail, {message!r}) 正常返回了；它应当抛出协程的 ValueError({message!r})',
    "client.call(hang) from another thread had not started hang() after {facts['started']:g} s":
        "从另一个线程调用 client.call(hang) 后过了 {facts['started']:g} 秒，hang() 仍未开始运行",
    "client.call(hang, timeout=0.05) should raise TimeoutError; it {facts.get('said')}":
        "client.call(hang, timeout=0.05) 应当抛出 TimeoutError；实际：{facts.get('said')}",
    "client.call(hang, timeout=0.05) {facts.get('said')}":
        "client.call(hang, timeout=0.05) 的结果：{facts.get('said')}",
    "client.call(oops, {_args(args)}) should raise the coroutine's own exception, Oops({_args(args)}); it {seen.get('said')}":
        "client.call(oops, {_args(args)}) 应当抛出协程自己的异常 Oops({_args(args)})；实际：{seen.get('said')}",
    "close() must be called exactly once; it was called {len(closes)} times ({_calls('close', closes)})":
        "close() 必须恰好被调用一次；实际被调用了 {len(closes)} 次（{_calls('close', closes)}）",
    'close() returned, but the coroutine still running on the loop was never cancelled (it never saw CancelledError)':
        'close() 已返回，但仍在事件循环上运行的协程始终没有被取消（它从未收到 CancelledError）',
    "close() should run {_span(*close[:2])} and finish ({close[2]}); got {_calls('close', closes)}":
        "close() 应当在 {_span(*close[:2])} 期间运行并完成（{close[2]}）；实际：{_calls('close', closes)}",
    "close() should run {_span(*close[:2])} and finish ({close[2]}); got {_calls('close', closes)}: cancelling the task cancelled close() too":
        "close() 应当在 {_span(*close[:2])} 期间运行并完成（{close[2]}）；实际：{_calls('close', closes)}：取消任务时把 close() 也一起取消了",
    "close() while a call was running raised {facts.get('shown')}":
        "在有调用正在运行时，close() 抛出了 {facts.get('shown')}",
    "close() while a call was running was still blocked after {facts.get('after'):g} s: the loop never stopped (a plain loop.stop() from another thread does not wake a sleeping loop), or close() waits for something that never ends":
        "在有调用正在运行时调用 close()，{facts.get('after'):g} 秒后它仍被阻塞：要么事件循环一直没有停止（从另一个线程直接调用 loop.stop() 并不会唤醒正在休眠的事件循环），要么 close() 在等待一件永远不会结束的事",
    "crawl must return a list, it returned {report.get('returned')}":
        "crawl 必须返回一个列表，它却返回了 {report.get('returned')}",
    'crawl returned while tasks it started were still running: {run.left}':
        'crawl 返回时，它启动的任务仍在运行：{run.left}',
    'crawl returned {len(results)} results for {count} URLs':
        'crawl 对 {count} 个 URL 返回了 {len(results)} 个结果',
    'crawl([]) must send no request; the server saw {run.requests}':
        'crawl([]) 不得发出任何请求；服务器却收到了 {run.requests} 个',
    'crawl([]) should return [], not {run.results!r}':
        'crawl([]) 应当返回 []，而不是 {run.results!r}',
    'dashboard(7) returned {result!r}, expected {expected!r}':
        'dashboard(7) 返回了 {result!r}，预期为 {expected!r}',
    "dashboard({user_id}) returned {seen.get('shown_value')}, expected {_board(user_id)!r}":
        "dashboard({user_id}) 返回了 {seen.get('shown_value')}，预期为 {_board(user_id)!r}",
    'define add_later with `async def`, not `def`':
        '请用 `async def` 而不是 `def` 来定义 add_later',
    'each caller should get its own result, {names[0]}, {names[1]} and {names[2]}; they got {got}':
        '每个调用方都应当得到自己的结果，即 {names[0]}、{names[1]} 和 {names[2]}；它们实际得到的是 {got}',
    'each client should have its own loop and thread':
        '每个客户端都应当有自己的事件循环和线程',
    'each fetch_* function should be called exactly once; the calls were {names}':
        '每个 fetch_* 函数都应当恰好调用一次；实际的调用是 {names}',
    'end cancelled':
        '以已取消状态结束',
    'ended cancelled':
        '以已取消状态结束',
    'errors must be the exception objects themselves, in input order: expected {expected}, got {_shown(errors)}':
        'errors 必须是这些异常对象本身，并按输入顺序排列：预期为 {expected}，实际得到 {_shown(errors)}',
    'every job runs to its end, all at once: 3 s':
        '每个作业都运行到结束，全部同时进行：3 秒',
    'every job runs to its end, all at once: {longest:g} s':
        '所有作业同时运行，每个都运行到结束：用时 {longest:g} 秒',
    "expected ('a', 'result', 'A'), got {entry(log, 'a')!r}":
        "预期为 ('a', 'result', 'A')，实际得到 {entry(log, 'a')!r}",
    "expected ('c', 'cancelled', None), got {entry(log, 'c')!r}":
        "预期为 ('c', 'cancelled', None)，实际得到 {entry(log, 'c')!r}",
    "expected ([{long['value']!r}], [{_shown_error(*early['raises'])}]), got {_shown(result)}":
        "预期为 ([{long['value']!r}], [{_shown_error(*early['raises'])}])，实际得到 {_shown(result)}",
    'expected 6 requests (one per URL), the server saw {server.requests}':
        '预期 6 个请求（每个 URL 一个），服务器收到了 {server.requests} 个',
    'expected [404, 200, 503], got {results!r}':
        '预期为 [404, 200, 503]，实际得到 {results!r}',
    "expected [the ValueError job 'b' raised], got {errors!r}":
        "预期为 [作业 'b' 抛出的那个 ValueError]，实际得到 {errors!r}",
    'expected [{what}], got {_shown(errors)}':
        '预期为 [{what}]，实际得到 {_shown(errors)}',
    'expected attempt 1 from 0 to 3 s, cancelled when its 3 s were up, then attempt 2 from 3 to 4 s, ok; got [start, end, how] = {op.log}':
        '预期第 1 次尝试从 0 到 3 秒，在它的 3 秒用完时被取消，然后第 2 次尝试从 3 到 4 秒，成功（ok）；实际 [start, end, how] = {op.log}',
    "expected attempt 1 from 0 to {per_attempt:g} s, cancelled when its {per_attempt:g} s were up, then attempt 2 from {per_attempt:g} to {per_attempt + seconds:g} s, ok; got [start, end, how] = {out['attempts']}":
        "预期第 1 次尝试从 0 秒到 {per_attempt:g} 秒，在它的 {per_attempt:g} 秒用完时被取消，然后第 2 次尝试从 {per_attempt:g} 秒到 {per_attempt + seconds:g} 秒，成功（ok）；实际 [start, end, how] = {out['attempts']}",
    'expected exactly 2 attempts, 0-2 s and 2-4 s, both cancelled; got [start, end, how] = {op.log}':
        '预期恰好 2 次尝试，分别在 0-2 秒和 2-4 秒，都被取消；实际 [start, end, how] = {op.log}',
    "expected exactly {attempts} attempts, {spans}, all cancelled; got [start, end, how] = {out['attempts']}":
        "预期恰好 {attempts} 次尝试（{spans}），全部被取消；实际 [start, end, how] = {out['attempts']}",
    'expected retry to {want} at {at:g} s; {_ended(out)}':
        '预期 retry 在 {at:g} 秒时结束，结果为 {want}；实际：{_ended(out)}',
    'expected the checksums {expected} in job order, got {result!r}':
        '预期按作业顺序得到校验和 {expected}，实际得到 {result!r}',
    "expected the checksums {expected} in job order, got {seen.get('shown')}":
        "预期按作业顺序得到校验和 {expected}，实际得到 {seen.get('shown')}",
    'expected the default object passed in, returned at {timeout:g} s; {_ended(out)}':
        '预期在 {timeout:g} 秒时返回传入的那个默认对象；实际：{_ended(out)}',
    'expected the default object passed in, returned at {timeout:g} s; {_ended(out)} (another object, not the one passed in)':
        '预期在 {timeout:g} 秒时返回传入的那个默认对象；实际：{_ended(out)}（是另一个对象，而不是传入的那个）',
    "expected the default, 'cached data', got {run.result!r}":
        "预期为默认值 'cached data'，实际得到 {run.result!r}",
    "expected the default, {default!r}, got {out['shown'] or None}":
        "预期得到默认值 {default!r}，实际得到 {out['shown'] or None}",
    "expected the fetch's value {value!r} as soon as it is done, at {seconds:g} s; {_ended(out)}":
        '预期 fetch 一完成就得到它的值 {value!r}，即在 {seconds:g} 秒时；实际：{_ended(out)}',
    "expected the fetch's value, 'fresh data', got {run.result!r}":
        "预期为 fetch 的值 'fresh data'，实际得到 {run.result!r}",
    "expected the fetch's value, {value!r}, got {out['shown'] or None}":
        "预期得到 fetch 的值 {value!r}，实际得到 {out['shown'] or None}",
    "expected the values in input order, ['A', 'B', 'C'], got {result!r}":
        "预期按输入顺序得到这些值 ['A', 'B', 'C']，实际得到 {result!r}",
    'expected the values in input order, {expected!r}, got {_shown(result)}':
        '预期按输入顺序得到各值 {expected!r}，实际得到 {_shown(result)}',
    "expected the values of the jobs that succeeded, ['A', 'C'], got {results!r}":
        "预期为成功的作业的值 ['A', 'C']，实际得到 {results!r}",
    'expected the values of the jobs that succeeded, {values!r}, got {_shown(results)}':
        '预期得到成功作业的值 {values!r}，实际得到 {_shown(results)}',
    'expected these attempts: {_attempts(attempts)}{extra}; got: {_attempts(log)}':
        '预期的尝试：{_attempts(attempts)}{extra}；实际：{_attempts(log)}',
    ' (then no more)':
        '（此后不再尝试）',
    'attempt {n}: {_span(start, end)}, {how}':
        '第 {n} 次尝试：{_span(start, end)}，{how}',
    'calls back with {v!r} at once, from inside start()':
        '在 start() 内部立即以 {v!r} 回调',
    'calls back with {v!r} at t = {t:g} s from its own thread':
        '在 t = {t:g} 秒时从它自己的线程以 {v!r} 回调',
    'never calls back':
        '始终不回调',
    "the {j['raises'][0]} job {j['name']!r} raised":
        "作业 {j['name']!r} 抛出的 {j['raises'][0]}",
    'expected to return 5 (what write() returned) at 5 s; your function {how} {value!r} at {ended:g} s':
        '预期在 5 秒时返回 5（write() 的返回值）；你的函数在 {ended:g} 秒时的结果是：{how} {value!r}',
    'expected to return {len(data)} (what write() returned) at {w + c:g} s; your function {_said(out)}':
        '预期在 {w + c:g} 秒时返回 {len(data)}（即 write() 的返回值）；你的函数实际：{_said(out)}',
    'expected write from 0 to 3 s, then one close from 3 to 5 s; got [start, end, how] = {conn.log}':
        '预期 write 从 0 到 3 秒，然后一次 close 从 3 到 5 秒；实际 [start, end, how] = {conn.log}',
    'expected write from 0 to {w:g} s, then one close from {w:g} to {w + c:g} s; got [start, end, how] = {log}':
        '预期 write 从 0 秒运行到 {w:g} 秒，然后一次 close 从 {w:g} 秒运行到 {w + c:g} 秒；实际 [start, end, how] = {log}',
    'expected {count} requests (one per URL), the server saw {run.requests}':
        '预期 {count} 个请求（每个 URL 一个），服务器收到了 {run.requests} 个',
    'expected {expected!r}, got {_readable(got)!r}':
        '预期为 {expected!r}，实际得到 {_readable(got)!r}',
    'expected {results}, got {run.results!r}':
        '预期 {results}，实际得到 {run.results!r}',
    'expected {values!r} in input order, got {_shown(result)}':
        '预期按输入顺序得到 {values!r}，实际得到 {_shown(result)}',
    'fetch() must be called exactly once and not cancelled; called at {calls} s, cancelled at {cancelled} s':
        'fetch() 必须恰好被调用一次，且不被取消；实际调用时间：{calls} 秒，取消时间：{cancelled} 秒',
    'fetch() must be called exactly once; it was called {calls} times':
        'fetch() 必须恰好被调用一次；实际被调用了 {calls} 次',
    "fetch() raised its own TimeoutError('socket read timed out') at 1 s, long before your 3 s deadline: that error must propagate, not become the default; your function {how} {value!r} at {ended:g} s":
        "fetch() 在 1 秒时抛出了它自己的 TimeoutError('socket read timed out')，远早于你的 3 秒截止时间：这个错误必须传播出去，而不是变成默认值；你的函数在 {ended:g} 秒时的结果是：{how} {value!r}",
    'fetch() raised its own TimeoutError({message!r}) at {seconds:g} s, long before your {timeout:g} s deadline: that error must propagate, not become the default; your function {_said(out)}':
        'fetch() 在 {seconds:g} 秒时抛出了它自己的 TimeoutError({message!r})，远早于你设定的 {timeout:g} 秒截止时间：这个错误必须向外传播，而不是变成默认值；你的函数实际：{_said(out)}',
    'fetch() raised {error[0]}({error[1]!r}) at {seconds:g} s: that exception must propagate unchanged, at once, not become the default; {_ended(out)}':
        'fetch() 在 {seconds:g} 秒时抛出了 {error[0]}({error[1]!r})：这个异常必须立即原样向外传播，而不是变成默认值；实际：{_ended(out)}',
    "fetch_all called asyncio.{seen['called'][0]}(): it is awaited inside a running loop, so it must not create, run or close a loop of its own (await the fetches instead)":
        "fetch_all 调用了 asyncio.{seen['called'][0]}()：它是在一个正在运行的事件循环中被 await 的，因此不得自行创建、运行或关闭事件循环（应改为 await 这些 fetch）",
    'fetch_all should return a list; it returned a {kind}: {got!r}':
        'fetch_all 应当返回列表；它返回的却是 {kind}：{got!r}',
    "fetch_all([('a', 3), ('b', 1), ('c', 2)]) returned {result!r}, expected {expected}":
        "fetch_all([('a', 3), ('b', 1), ('c', 2)]) 返回了 {result!r}，预期为 {expected}",
    'fetch_all([]) returned {got!r}, expected []':
        'fetch_all([]) 返回了 {got!r}，预期为 []',
    'fetch_all([]) should return [], got {_shown(result)}':
        'fetch_all([]) 应当返回 []，实际得到 {_shown(result)}',
    "fetch_all({jobs!r}) raised {seen['raised']}: {seen.get('message', '')}":
        "fetch_all({jobs!r}) 抛出了 {seen['raised']}：{seen.get('message', '')}",
    'fetch_all({jobs!r}) returned {got!r}, expected {expected}':
        'fetch_all({jobs!r}) 返回了 {got!r}，预期为 {expected}',
    'first_wins should return as soon as the fastest job (1 s) is done':
        '最快的作业（1 秒）一完成，first_wins 就应该返回',
    "first_wins should return as soon as the fastest job ({first['delay']:g} s) is done":
        "最快的作业（{first['delay']:g} 秒）一完成，first_wins 就应当返回",
    'first_wins([]) should raise ValueError (with no jobs there is no winner); {did}':
        'first_wins([]) 应当抛出 ValueError（没有作业就没有胜出者）；实际情况：{did}',
    "for jobs {jobs} expected {want}, got {seen.get('shown')}":
        "对于作业 {jobs}，预期为 {want}，实际得到 {seen.get('shown')}",
    'from {start:g} s':
        '从 {start:g} 秒开始',
    "future_after must not create tasks (a timer and the future's own methods do the work); tasks created: {', '.join(got['tasks'])}":
        "future_after 不得创建任务（这项工作由定时器和 `Future` 对象自身的方法完成）；创建了这些任务：{', '.join(got['tasks'])}",
    'future_after() should return a plain future from loop.create_future(), not a Task':
        'future_after() 应该返回一个由 loop.create_future() 创建的普通 `Future` 对象，而不是 Task',
    "future_after(2, 'x') returned a coroutine: define it with a plain `def`, not `async def`":
        "future_after(2, 'x') 返回了一个协程：请用普通的 `def` 定义它，而不是 `async def`",
    "future_after(2, 'x') should return a future, it returned {type(fut).__name__}":
        "future_after(2, 'x') 应该返回一个 `Future` 对象，它返回的却是 {type(fut).__name__}",
    'gather of future_after{shown} should give {values!r}, got {_readable(got)!r}':
        '对 future_after{shown} 进行 gather 应当得到 {values!r}，实际得到 {_readable(got)!r}',
    'give up exactly `timeout` seconds after the call':
        '在调用后恰好 `timeout` 秒时放弃',
    'grading it failed: {_last_words(said)}':
        '评分时出错：{_last_words(said)}',
    "it raised {seen.get('raised')}: {seen.get('message')}":
        "它抛出了 {seen.get('raised')}：{seen.get('message')}",
    "it returned {seen.get('value')!r}":
        "它返回了 {seen.get('value')!r}",
    'it took longer than {self._submission_timeout(lesson):g} s of real time':
        '它用时超过了 {self._submission_timeout(lesson):g} 秒真实时间',
    'it {what} at {ended_at:g} s':
        '它在 {ended_at:g} 秒时{what}',
    "it {what} at {out['ended']:g} s":
        "它在 {out['ended']:g} 秒时{what}",
    'its executed copy does not match the submission':
        '它运行后的副本与提交的内容不一致',
    'its executed copy is missing (grading stopped before it)':
        '缺少它运行后的副本（评分在它之前就停止了）',
    "job 'b' failed at 1 s":
        "作业 'b' 在 1 秒时失败了",
    "job 'b' failed at 1 s: all_or_nothing should raise its ValueError itself at 1 s; it ended at {ended_at:g} s with {how} {value!r}":
        "作业 'b' 在 1 秒时失败了：all_or_nothing 应该在 1 秒时抛出它的那个 ValueError 本身；而它在 {ended_at:g} 秒时结束，结果为 {how} {value!r}",
    "job {early['name']!r} failed first, at {early['delay']:g} s: all_or_nothing should raise that {early['raises'][0]} itself at {early['delay']:g} s; {ended(how, value, at)}":
        "作业 {early['name']!r} 最先失败，时间为 {early['delay']:g} 秒：all_or_nothing 应当在 {early['delay']:g} 秒时抛出那个 {early['raises'][0]} 本身；实际情况：{ended(how, value, at)}",
    "job {fails['name']!r} failed at {fails['delay']:g} s":
        "作业 {fails['name']!r} 在 {fails['delay']:g} 秒时失败",
    "job {loser['name']!r} lost the race":
        "作业 {loser['name']!r} 在竞速中落败",
    'job {name!r} failed at {when:g} s: all_or_nothing should raise its {kind} itself at {when:g} s; it ended at {at:g} s with {how} {_shown(value)}':
        '作业 {name!r} 在 {when:g} 秒时失败：all_or_nothing 应当在 {when:g} 秒时抛出它的那个 {kind} 本身；实际上它在 {at:g} 秒时结束，结果为 {how} {_shown(value)}',
    'job {name!r} lost the race':
        '作业 {name!r} 在竞速中落败',
    'job {name!r} should run exactly once, in a task of its own; tasks that ran it: {len(found)} (tasks recorded: {[r.name for r in timeline.tasks] if timeline else []})':
        '作业 {name!r} 应当恰好运行一次，并且在它自己的任务中运行；运行它的任务数：{len(found)}（记录到的任务：{[r.name for r in timeline.tasks] if timeline else []}）',
    "job {name!r} should run from {started if started is not None else 'its start'} s to {end:g} s and end {outcome or 'by itself'}; it ran from {rec.started} s to {rec.ended} s and ended {rec.outcome}{why}":
        "作业 {name!r} 应当从 {started if started is not None else 'its start'} 秒运行到 {end:g} 秒，结束方式应为 {outcome or 'by itself'}；它实际从 {rec.started} 秒运行到 {rec.ended} 秒，结束方式为 {rec.outcome}{why}",
    'jobs of 3, 1 and 2 s run together take 3 s':
        '耗时 3、1、2 秒的作业一起运行，共需 3 秒',
    "jobs of {', '.join((format(j['delay'], 'g') for j in script))} s run together take {longest:g} s":
        "耗时 {', '.join((format(j['delay'], 'g') for j in script))} 秒的作业同时运行，用时 {longest:g} 秒",
    'jobs of {shown} s run together take {max(delays):g} s':
        '耗时 {shown} 秒的作业同时运行，用时 {max(delays):g} 秒',
    "jobs returning {', '.join(map(repr, expected))}: expected {expected!r}, got {_shown(result)}":
        "各作业分别返回 {', '.join(map(repr, expected))}：预期为 {expected!r}，实际得到 {_shown(result)}",
    'limit=2, one page of 1.5 s and {fast} of 0.05 s: while the slow request ran, the other slot should have served the fast pages still waiting, one after another; only {len(during)} ran meanwhile, {len(later) - len(during)} started after it. Start a new request as soon as one finishes, not in batches of `limit`.':
        'limit=2，一个 1.5 秒的页面和 {fast} 个 0.05 秒的页面：慢请求运行期间，另一个名额本应一个接一个地处理仍在等待的快页面；但这期间只运行了 {len(during)} 个，另有 {len(later) - len(during)} 个是在它之后才开始的。请在一个请求完成后立即开始新的请求，而不是以 `limit` 个为一批分批进行。',
    'make_collector() should return (on_done, log) with log a list, got {log!r}':
        'make_collector() 应该返回 (on_done, log)，其中 log 是一个列表；实际得到 {log!r}',
    "make_collector() should return a pair (on_done, log) with log a list; it returned {got['pair']}":
        "make_collector() 应当返回一个二元组 (on_done, log)，其中 log 是列表；它返回的是 {got['pair']}",
    'no attempt at all':
        '一次尝试都没有',
    'no entry for task {name!r} in the log {_readable(log)!r}; a missing entry means on_done {why} (the loop only reports errors raised in callbacks)':
        '日志 {_readable(log)!r} 中没有任务 {name!r} 的条目；缺少条目意味着 on_done {why}（回调中抛出的错误只会被事件循环报告出来）',
    'no entry for task {name!r} in the log {log!r}; a missing entry means on_done raised for it (the loop only reports errors raised in callbacks)':
        '日志 {log!r} 中没有任务 {name!r} 的条目；缺少条目说明 on_done 处理它时抛出了异常（事件循环对回调中抛出的错误只做报告）',
    'no job succeeded, so results should be [], got {_shown(results)}':
        '没有任何作业成功，所以 results 应为 []，实际得到 {_shown(results)}',
    'no jobs: expected ([], []), got {_shown(result)}':
        '没有作业：预期为 ([], [])，实际得到 {_shown(result)}',
    'no notebook of {lesson} in the submission':
        '提交中没有 {lesson} 的笔记本',
    "on_done was added to the task {name!r} after it returned {value!r}: expected ({name!r}, 'result', {value!r}), got {_readable(got)!r}":
        "on_done 是在任务 {name!r} 返回 {value!r} 之后才添加的：预期为 ({name!r}, 'result', {value!r})，实际得到 {_readable(got)!r}",
    "on_done(task) raised {kind}{': ' + message if message else ''} for a task that {how}: a done callback must never raise (the loop would only report it, and nothing after that line of on_done runs)":
        "对一个 {how} 的任务调用 on_done(task) 时，它抛出了 {kind}{': ' + message if message else ''}：完成回调绝不能抛出异常（事件循环只会把它报告出来，而 on_done 中那一行之后的代码都不会运行）",
    'one /delay/1.5 page and {fast} /items pages should give [200] * {fast + 1}, not {run.results!r}':
        '一个 /delay/1.5 页面和 {fast} 个 /items 页面应当得到 [200] * {fast + 1}，而不是 {run.results!r}',
    'one shared client needs at most 4 connections for limit=4; the server saw {run.connections} connections for {run.requests} requests: a new client per request?':
        'limit=4 时，一个共享的客户端最多需要 4 个连接；服务器却为 {run.requests} 个请求看到了 {run.connections} 个连接：是不是每个请求都新建了一个客户端？',
    "only the raised exception is an error: expected [{_shown_error(*fails['raises'])}], got {_shown(errors)}":
        "只有被抛出的异常才算错误：预期为 [{_shown_error(*fails['raises'])}]，实际得到 {_shown(errors)}",
    'process_all([]) should not call checksum()':
        'process_all([]) 不应调用 checksum()',
    "process_all([]) should return [], got {seen.get('shown')}":
        "process_all([]) 应当返回 []，实际得到 {seen.get('shown')}",
    'process_all([]) should take no time, it took {answer.elapsed:g} s':
        'process_all([]) 不应耗费任何时间，它却用了 {answer.elapsed:g} 秒',
    "raise write()'s exception":
        '抛出 write() 的异常',
    'raise {kind}':
        '抛出 {kind}',
    'raise {kind}({message!r})':
        '抛出 {kind}({message!r})',
    "raised {call.get('type')}":
        "抛出了 {call.get('type')}",
    "raised {call.get('type')}: {call.get('message')}":
        "抛出了 {call.get('type')}：{call.get('message')}",
    "raised {out['type']}":
        "抛出了 {out['type']}",
    "raised {out['type']}({out['message']!r})":
        "抛出了 {out['type']}({out['message']!r})",
    'raised {value!r}':
        '抛出了 {value!r}',
    "raised {value.get('type')}":
        "抛出了 {value.get('type')}",
    "raised {value.get('type')}: {value.get('message')}":
        "抛出了 {value.get('type')}：{value.get('message')}",
    'requests per URL should be [1, 2, 3] (404: final; flaky: one retry; 503: retried twice), the server saw {hits}':
        '每个 URL 的请求数应为 [1, 2, 3]（404：最终结果；flaky：重试一次；503：重试两次），服务器收到的是 {hits}',
    'requests per URL should be {hits} ({told}), the server saw {run.hits}':
        '每个 URL 的请求次数应当是 {hits}（{told}），服务器实际收到的是 {run.hits}',
    'results must be in the order of jobs: expected [0, 1, 2, 3, 4, 5], got {run.result!r}':
        '结果必须按作业的顺序排列：预期为 [0, 1, 2, 3, 4, 5]，实际得到 {run.result!r}',
    "results must be in the order of jobs: expected {values!r}, got {_shown(out['results'])!r}":
        "结果必须按作业顺序排列：预期 {values!r}，实际得到 {_shown(out['results'])!r}",
    "results must be in the order of the jobs: expected {want}, got {seen.get('shown')}":
        "结果必须按作业的顺序排列：预期为 {want}，实际得到 {seen.get('shown')}",
    'results must follow the input order, not the finishing order: expected {values!r}, got {_shown(result)}':
        '结果必须按输入顺序排列，而不是按完成顺序：预期为 {values!r}，实际得到 {_shown(result)}',
    'retry must be an `async def` function ({answer.failure})':
        'retry 必须是 `async def` 函数（{answer.failure}）',
    "retry should return the first successful result, 'pong'; got {run.result!r}":
        "retry 应该返回第一次成功的结果 'pong'；实际得到 {run.result!r}",
    "retry should return the first successful result, {value!r}; got {out['shown'] or None}":
        "retry 应当返回第一次成功的结果 {value!r}；实际得到 {out['shown'] or None}",
    'retry(attempt, retries=2, base=1) with outcomes {_listed(outcomes)}: expected {outcomes[-1]} after {len(outcomes)} calls, got {did.gave} after {did.calls} calls':
        'retry(attempt, retries=2, base=1)，attempt 依次给出 {_listed(outcomes)}：预期调用 {len(outcomes)} 次后得到 {outcomes[-1]}，实际调用 {did.calls} 次后得到 {did.gave}',
    'retry(attempt, retries={retries}, base=1) with outcomes {outcomes}: expected {outcomes[0]} after 1 call, got {did.gave} after {did.calls} calls':
        'retry(attempt, retries={retries}, base=1)，attempt 依次给出 {outcomes}：预期调用 1 次后得到 {outcomes[0]}，实际调用 {did.calls} 次后得到 {did.gave}',
    'retry(attempt, retries={retries}, base={base:g}) with outcomes {_listed(outcomes)}':
        '结果序列为 {_listed(outcomes)} 时的 retry(attempt, retries={retries}, base={base:g})',
    'return a tuple (results, errors), got {_shown(result)}':
        '应当返回元组 (results, errors)，实际得到 {_shown(result)}',
    'return a tuple (results, errors), got {result!r}':
        '请返回一个元组 (results, errors)，实际得到 {result!r}',
    "return write()'s result":
        '返回 write() 的结果',
    'return {expected[1]!r}':
        '返回 {expected[1]!r}',
    'returned {_shown(value)}':
        '返回了 {_shown(value)}',
    "returned {call.get('shown')}":
        "返回了 {call.get('shown')}",
    "returned {out['shown']}":
        "返回了 {out['shown']}",
    "right after close() returned, the loop's thread was still running: close() should wait for it to end (join it)":
        'close() 刚返回时，事件循环所在的线程仍在运行：close() 应该等待它结束（join 它）',
    'run_bounded(<{len(seconds)} jobs of {seconds} s>, workers={workers})':
        'run_bounded(<{len(seconds)} 个耗时 {seconds} 秒的作业>, workers={workers})',
    'run_in_new_loop must do the steps itself, without asyncio.run() or asyncio.Runner (the exercise asks you to write what they do)':
        'run_in_new_loop 必须自己完成这些步骤，不能使用 asyncio.run() 或 asyncio.Runner（这道练习要求你亲手写出它们所做的事）',
    'run_in_new_loop(leaves_a_generator) {_ended(call)}, expected {stop}':
        'run_in_new_loop(leaves_a_generator) 的结果：{_ended(call)}，预期返回 {stop}',
    'run_in_new_loop(loop_is_current) {_ended(call)}':
        'run_in_new_loop(loop_is_current) 的结果：{_ended(call)}',
    'run_in_new_loop(times_two, 21) returned {result!r}, expected 42':
        'run_in_new_loop(times_two, 21) 返回了 {result!r}，预期为 42',
    'run_in_new_loop(times_two, {x}) then (times_two, {y}): the first {_ended(first)}, the second {_ended(second)}; expected {2 * x}, then {2 * y}':
        '先调用 run_in_new_loop(times_two, {x})，再调用 (times_two, {y})：第一次 {_ended(first)}，第二次 {_ended(second)}；预期先返回 {2 * x}，再返回 {2 * y}',
    'run_in_new_loop(times_two, {x}) {_ended(call)}, expected {2 * x}':
        'run_in_new_loop(times_two, {x}) 的结果：{_ended(call)}，预期返回 {2 * x}',
    'run_in_new_loop(times_two, {x}) {_ended(returned)}, expected {2 * x}':
        'run_in_new_loop(times_two, {x}) 的结果：{_ended(returned)}，预期返回 {2 * x}',
    'running() after wait_all() returned {after!r}, expected []':
        'wait_all() 之后，running() 返回了 {after!r}，预期为 []',
    "running() after wait_all() returned {got['after']!r}, expected []":
        "wait_all() 之后，running() 返回了 {got['after']!r}，预期为 []",
    "running() right after the two spawns returned {before!r}, expected ['quick', 'slow']":
        "紧接着两次 spawn 之后，running() 返回了 {before!r}，预期为 ['quick', 'slow']",
    "running() right after the {len(jobs)} spawns returned {got['before']!r}, expected {expected!r}":
        "紧接着 {len(jobs)} 次 spawn 之后，running() 返回了 {got['before']!r}，预期为 {expected!r}",
    'running() should be [] after cancel_all(); it was {after!r}':
        'cancel_all() 之后，running() 应该为 []；实际为 {after!r}',
    'running() should be [] after wait_all(); it was {after!r}':
        'wait_all() 之后 running() 应为 []，实际为 {after!r}',
    "save_then_close should return what write() returned ({len(data)}); it returned {out['shown']}":
        "save_then_close 应当返回 write() 的返回值（{len(data)}）；它实际返回了 {out['shown']}",
    'six /items pages':
        '六个 /items 页面',
    'six /items pages should give [200] * 6, not {results!r}':
        '六个 /items 页面应该得到 [200] * 6，而不是 {results!r}',
    'sleep_many(0, {delay}) must return [], got {result!r}':
        'sleep_many(0, {delay}) 必须返回 []，实际得到 {result!r}',
    'sleep_many(20, 2.0) armed {timers} timers; use one shared timer (an asyncio.sleep in every task arms one each)':
        'sleep_many(20, 2.0) 设置了 {timers} 个定时器；请使用一个共享的定时器（在每个任务中调用 asyncio.sleep 会各设置一个）',
    'sleep_many(5, 1.0) must return [0, 1, 2, 3, 4], got {result!r}':
        'sleep_many(5, 1.0) 必须返回 [0, 1, 2, 3, 4]，实际得到 {result!r}',
    "sleep_many({n}, {delay}) armed {out['timers']} timers; expected exactly one, shared by all the tasks":
        "sleep_many({n}, {delay}) 设置了 {out['timers']} 个定时器；预期恰好一个，由所有任务共用",
    "sleep_many({n}, {delay}) armed {out['timers']} timers; use one shared timer (an asyncio.sleep in every task arms one each)":
        "sleep_many({n}, {delay}) 设置了 {out['timers']} 个定时器；请使用一个共享的定时器（在每个任务里各调用一次 asyncio.sleep，就会各设置一个定时器）",
    "sleep_many({n}, {delay}) created {out['tasks']} tasks; it needs {n} (and at most one helper)":
        "sleep_many({n}, {delay}) 创建了 {out['tasks']} 个任务；它只需要 {n} 个（外加最多一个辅助任务）",
    'sleep_many({n}, {delay}) must return {list(range(n))}, got {result!r}':
        'sleep_many({n}, {delay}) 必须返回 {list(range(n))}，实际得到 {result!r}',
    "sleep_many({n}, {delay}) returned {out['result']!r}, but no task it started returned {', '.join(map(str, missing))} (its tasks returned {returned!r}): each task must return its own index, and sleep_many the list of their results.":
        "sleep_many({n}, {delay}) 返回了 {out['result']!r}，但它启动的任务中没有一个返回 {', '.join(map(str, missing))}（它的任务返回的是 {returned!r}）：每个任务必须返回自己的序号，而 sleep_many 要返回这些任务的结果组成的列表。",
    'sleep_many({n}, {delay}): halfway through the wait, {n} tasks should be waiting together; {waiting} were':
        'sleep_many({n}, {delay})：等待进行到一半时，应当有 {n} 个任务在一起等待；实际有 {waiting} 个',
    'someone else set the result {theirs!r}; the future should keep it, it ended with {state}':
        '其他代码设置了结果 {theirs!r}；`Future` 对象应当保留它，但它最终的状态是：{state}',
    "spawn(run_job(2, 'slow'), 'slow') should return the task it started, named 'slow'; it returned {slow!r}":
        "spawn(run_job(2, 'slow'), 'slow') 应该返回它启动的任务，即名为 'slow' 的任务；它返回的是 {slow!r}",
    'spawn(run_job({delay:g}, {value!r}), {name!r}) should return the task it started, named {name!r}; it returned {_task_shown(task)}':
        'spawn(run_job({delay:g}, {value!r}), {name!r}) 应当返回它启动的那个任务，名称为 {name!r}；它返回的却是 {_task_shown(task)}',
    'staircase([1, 2, 0.5]) returned {times!r}, expected [1.0, 3.0, 3.5]':
        'staircase([1, 2, 0.5]) 返回了 {times!r}，预期为 [1.0, 3.0, 3.5]',
    'staircase([]) returned {got!r}, expected []':
        'staircase([]) 返回了 {got!r}，预期为 []',
    'staircase({delays!r}) returned {got!r}, expected {_ends(delays)!r}{why}':
        'staircase({delays!r}) 返回了 {got!r}，预期为 {_ends(delays)!r}{why}',
    "start() called back with 'now' at once; wait_for_callback returned {got!r}":
        "start() 立即用 'now' 调用了回调；wait_for_callback 返回的是 {got!r}",
    'start() called back with {value!r} at once; wait_for_callback returned {got}':
        'start() 立即以 {value!r} 调用了回调；wait_for_callback 却返回了 {got}',
    'start() should be called exactly once; it was called {len(starts)} times':
        'start() 应该恰好被调用一次；它被调用了 {len(starts)} 次',
    "start() should be called exactly once; it was called {seen.get('starts')} times":
        "start() 应当恰好被调用一次；实际被调用了 {seen.get('starts')} 次",
    'start_all with 200 jobs returned wrong values: {detail}':
        '有 200 个作业时，start_all 返回了错误的值：{detail}',
    'start_all([]) created the tasks {_created(answer)}, expected none':
        'start_all([]) 创建了任务 {_created(answer)}，预期不创建任何任务',
    'start_all([]) returned {got!r}, expected {{}}':
        'start_all([]) 返回了 {got!r}，预期为 {{}}',
    'start_all(jobs) for jobs named {names} returned a dict whose names are in the order {order}; expected the order of jobs.':
        '对于名为 {names} 的作业，start_all(jobs) 返回的字典中名字的顺序是 {order}；预期应与 jobs 的顺序一致。',
    'start_all({jobs}) returned {got!r}, expected {expected!r}':
        'start_all({jobs}) 返回了 {got!r}，预期为 {expected!r}',
    'start_all({jobs}) returned {got!r}, expected {expected}':
        'start_all({jobs}) 返回了 {got!r}，预期为 {expected}',
    "start_all({jobs}) returned {result!r}, expected {{'a': 'A', 'b': 'B'}}":
        "start_all({jobs}) 返回了 {result!r}，预期为 {{'a': 'A', 'b': 'B'}}",
    'successes_and_failures should return a tuple (results, errors), got {_shown(result)}':
        'successes_and_failures 应当返回元组 (results, errors)，实际得到 {_shown(result)}',
    'the call cancelled by close() returned; it should raise':
        '被 close() 取消的调用正常返回了；它应当抛出异常',
    'the coroutine never ran: run_in_new_loop(explodes) {_ended(call)}':
        '协程根本没有运行；run_in_new_loop(explodes) 的结果：{_ended(call)}',
    "the coroutine raised and run_in_new_loop {_ended(raised)}; afterwards the thread's current loop is still {raised['current_loop']}: unset it whatever happens":
        "协程抛出了异常，run_in_new_loop 的结果：{_ended(raised)}；之后该线程的当前事件循环仍然是 {raised['current_loop']}：无论发生什么，都要清除它",
    'the coroutine raised {_shown_error(kind, message)} and run_in_new_loop {_ended(call)}, but its loop is still open: close it whatever happens (try/finally)':
        '协程抛出了 {_shown_error(kind, message)}，run_in_new_loop 的结果：{_ended(call)}，但它的事件循环仍未关闭：无论发生什么，都要关闭它（try/finally）',
    'the coroutine raised {_shown_error(kind, message)} leaving a task running, and run_in_new_loop {_ended(call)}; the task was not cancelled (or did not finish cancelling): clean up whether the coroutine returned or raised':
        '协程抛出了 {_shown_error(kind, message)}，并留下一个仍在运行的任务，run_in_new_loop 的结果：{_ended(call)}；该任务没有被取消（或没有完成取消）：无论协程是正常返回还是抛出异常，都要做清理',
    'the coroutine raised {_shown_error(kind, message)}, so run_in_new_loop should raise it too; it {_ended(call)}':
        '协程抛出了 {_shown_error(kind, message)}，所以 run_in_new_loop 也应当抛出它；而它的结果是：{_ended(call)}',
    'the coroutine returned {value!r}, leaving a task running; run_in_new_loop {_ended(call)}, expected {value!r}':
        '协程返回了 {value!r}，并留下一个仍在运行的任务；run_in_new_loop 的结果：{_ended(call)}，预期返回 {value!r}',
    "the coroutine should run in client.thread; it ran in the thread {facts.get('thread_name')!r}":
        "协程应当在 client.thread 中运行；它实际运行在线程 {facts.get('thread_name')!r} 中",
    'the coroutine should run on client.loop; it ran on another loop':
        '协程应当在 client.loop 上运行；它实际运行在另一个事件循环上',
    'the first collector watched {x} and {y}, the second {z}: expected the entries of {x} and {y}, {first!r}, and of {z}, {second!r}; got {_readable(log_1)!r} and {_readable(log_2)!r}':
        '第一个收集器观察 {x} 和 {y}，第二个观察 {z}：预期 {x} 和 {y} 的条目为 {first!r}，{z} 的条目为 {second!r}；实际得到 {_readable(log_1)!r} 和 {_readable(log_2)!r}',
    "the first job to finish raised {fails['raises'][0]} at {fails['delay']:g} s: first_wins should raise that very exception at {fails['delay']:g} s; {ended(how, value, at)}":
        "最先结束的作业在 {fails['delay']:g} 秒时抛出了 {fails['raises'][0]}：first_wins 应当在 {fails['delay']:g} 秒时抛出那个异常本身；实际情况：{ended(how, value, at)}",
    'the first job to finish returned None, so first_wins should return None; got {_shown(result)}':
        '最先结束的作业返回了 None，所以 first_wins 应当返回 None；实际得到 {_shown(result)}',
    'the future made by {call} was {what} at {after:g} s, but its timer was still scheduled at {after + 0.1:g} s: cancel the timer handle (returned by loop.call_later) as soon as the future is done':
        '{call} 创建的 `Future` 对象在 {after:g} 秒时已经 {what}，但它的定时器在 {after + 0.1:g} 秒时仍处于已调度状态：`Future` 对象一完成，就要取消定时器句柄（loop.call_later 的返回值）',
    'the future should belong to the running loop':
        '这个 `Future` 对象应该属于正在运行的事件循环',
    'the future should still be pending right after future_after() returns':
        'future_after() 刚返回时，这个 `Future` 对象应该仍未完成',
    "the job listed twice should run twice; it ran {runs.get(first['name'])} time(s)":
        "列出两次的作业应当运行两次；它运行了 {runs.get(first['name'])} 次",
    "the job that finishes first returns 'fast' (after 1 s); got {run.result!r}":
        "最先完成的作业返回 'fast'（在 1 秒后）；实际得到 {run.result!r}",
    "the job that finishes first returns {first['value']!r} (after {first['delay']:g} s); got {_shown(result)}":
        "最先结束的作业（{first['delay']:g} 秒后）返回 {first['value']!r}；实际得到 {_shown(result)}",
    'the library called back with 42 from its thread; wait_for_callback returned {got!r}':
        '库从它自己的线程用 42 调用了回调；wait_for_callback 返回的是 {got!r}',
    'the library called back with {value!r} from its thread; wait_for_callback returned {got}':
        '库从它自己的线程以 {value!r} 调用了回调；wait_for_callback 却返回了 {got}',
    'the loop must be closed afterwards':
        '之后必须关闭事件循环',
    "the loop's thread should be running once SyncClient() returns":
        'SyncClient() 返回时，事件循环的线程应当已经在运行',
    'the server saw no complete request for /delay/1.5 (it saw {run.requests} requests)':
        '服务器没有收到一个完整的 /delay/1.5 请求（它共收到 {run.requests} 个请求）',
    "the task 'slow' should have run to its end, giving 'slow'":
        "任务 'slow' 应该一直运行到结束，得到 'slow'",
    'the task should {WANT[expected]} at {at:g} s, once close() has finished (at {close[1]:g} s); {_ended(out)}':
        '预期任务在 close() 结束（{close[1]:g} 秒）之后、于 {at:g} 秒时这样结束：{WANT[expected]}；实际：{_ended(out)}',
    'the task the coroutine left running was not cancelled, or the loop was closed before it could finish cancelling: cancel it, then run the loop until it has ended':
        '协程留下的仍在运行的任务没有被取消，或者事件循环在它完成取消之前就被关闭了：先取消它，然后运行事件循环，直到它结束',
    "the task was cancelled: once close() has finished (3 s) it must end cancelled (let the CancelledError propagate); it {'ended cancelled' if how == 'cancelled' else how + ' ' + repr(value)} at {ended:g} s":
        "这个任务被取消了：close() 完成（3 秒）后，它必须以已取消状态结束（让 CancelledError 传播出去）；它在 {ended:g} 秒时的结果是：{'ended cancelled' if how == 'cancelled' else how + ' ' + repr(value)}",
    "the task was cancelled: once close() has finished ({x + c:g} s) it must end cancelled (let the CancelledError propagate); it {said} at {out['ended']:g} s":
        "任务被取消了：close() 结束（{x + c:g} 秒）后，它必须以取消状态结束（让 CancelledError 向外传播）；实际：{said}，时间为 {out['ended']:g} 秒",
    'the task {name!r} raised {error[0]} and on_done recorded it, yet the loop reported {lost[0]!r}: on_done should get the exception with task.exception(), which marks it as seen':
        '任务 {name!r} 抛出了 {error[0]}，on_done 也记录了它，但事件循环仍然报告了 {lost[0]!r}：on_done 应当用 task.exception() 获取异常，这样会把它标记为已查看',
    "the task {name!r} returned None: expected ({name!r}, 'result', None), got {_readable(got)!r}":
        "任务 {name!r} 返回了 None：预期为 ({name!r}, 'result', None)，实际得到 {_readable(got)!r}",
    'the task {name!r} should have run to its end, giving {value!r}':
        '任务 {name!r} 本应运行到结束，并得到 {value!r}',
    "the task {name!r} was asked to cancel, caught the CancelledError and returned {value!r}, so it is not cancelled: expected ({name!r}, 'result', {value!r}), got {_readable(got)!r}":
        "任务 {name!r} 被请求取消，但它捕获了 CancelledError 并返回了 {value!r}，因此它并没有被取消：预期为 ({name!r}, 'result', {value!r})，实际得到 {_readable(got)!r}",
    'the tasks finished in the order b, c, a, so the log should list them in that order; its entries name {names}':
        '这些任务按 b、c、a 的顺序完成，所以日志也应按这个顺序列出它们；而日志条目中的名字是 {names}',
    "the tasks finished in the order {', '.join(order)}, so the log should list them in that order; its entries name {names}":
        "各任务按 {', '.join(order)} 的顺序结束，因此日志也应按这个顺序列出它们；而日志条目中的名字是 {names}",
    "the {long['delay']:g} s job must run to its end even though another job failed at {early['delay']:g} s":
        "即使另一个作业在 {early['delay']:g} 秒时失败了，耗时 {long['delay']:g} 秒的作业也必须运行到结束",
    "the {seconds:g} s fetch should be cancelled at the {timeout:g} s deadline; it was cancelled at {cancelled or 'no time'}":
        "耗时 {seconds:g} 秒的 fetch 应当在 {timeout:g} 秒的截止时间被取消；实际取消时间：{cancelled or 'no time'}",
    'the {seconds:g} s fetch was left running and finished at {finished[0]:g} s, after the {timeout:g} s deadline: when the time is up, fetch() must be cancelled, not left running in the background':
        '耗时 {seconds:g} 秒的 fetch 被任其继续运行，在 {finished[0]:g} 秒时才完成，晚于 {timeout:g} 秒的截止时间：时间一到，就必须取消 fetch()，而不是让它在后台继续运行',
    'two calls of make_collector() returned the same list: each needs its own':
        '两次调用 make_collector() 返回了同一个列表：每个收集器都需要自己的列表',
    'two equal jobs are still two jobs with two results: expected {expected}, got {got!r}':
        '两个相同的作业仍然是两个作业，有两个结果：预期为 {expected}，实际得到 {got!r}',
    "wait_all() must also wait for 'child', which 'parent' spawns at t = {parent_for:g} s.":
        "wait_all() 还必须等待 'child'，它是 'parent' 在 t = {parent_for:g} 秒时启动的。",
    "wait_all() returned {got['returned']!r}, expected None":
        "wait_all() 返回了 {got['returned']!r}，预期为 None",
    'wait_all() returned {run.result[2]!r}, expected None':
        'wait_all() 返回了 {run.result[2]!r}，预期为 None',
    'wait_all() should return when the last job (2 s) is done.':
        'wait_all() 应该在最后一个作业（2 秒）完成时返回。',
    'wait_all() should return when the last job ({last:g} s) is done.':
        'wait_all() 应当在最后一个作业（{last:g} 秒）完成时返回。',
    'when every attempt times out, retry must raise TimeoutError at 4 s; it {how} {value!r} at {ended:g} s':
        '每次尝试都超时时，retry 必须在 4 秒时抛出 TimeoutError；它在 {ended:g} 秒时的结果是：{how} {value!r}',
    'when every attempt times out, retry must raise TimeoutError at {at:g} s; it {_said(out)}':
        '每次尝试都超时时，retry 必须在 {at:g} 秒时抛出 TimeoutError；实际：{_said(out)}',
    'when every job succeeds, none may be cancelled; cancelled: {cancelled}':
        '所有作业都成功时，任何作业都不得被取消；被取消的有：{cancelled}',
    "while the coroutine ran, the thread's current loop was not the loop running it: make the new loop current with asyncio.set_event_loop(loop) before running the coroutine":
        '协程运行期间，该线程的当前事件循环并不是运行它的那个事件循环：请在运行协程之前用 asyncio.set_event_loop(loop) 把新的事件循环设为当前事件循环',
    'with 20 jobs, expected one result per job in the order of jobs, {want[:3]} ...; got {got!r}':
        '有 20 个作业时，预期按作业顺序每个作业得到一个结果，即 {want[:3]} ...；实际得到 {got!r}',
    "with DELAYS = {delays}, dashboard({user_id}) returned {seen.get('shown_value')}":
        "当 DELAYS = {delays} 时，dashboard({user_id}) 返回了 {seen.get('shown_value')}",
    'with a single job, first_wins returns its value; got {_shown(result)}':
        '只有一个作业时，first_wins 返回它的值；实际得到 {_shown(result)}',
    'with limit=2 the server should see exactly 2 requests at once, it saw {server.max_in_flight}':
        'limit=2 时，服务器应该看到恰好 2 个请求同时进行，实际看到的是 {server.max_in_flight} 个',
    'with limit=4 and 8 URLs the server should see exactly 4 requests at once, it saw {run.max_in_flight} (your tasks are in the chart, in real time)':
        'limit=4、8 个 URL 时，服务器同时看到的请求应当恰好为 4 个，实际为 {run.max_in_flight} 个（你的任务显示在图表中，按真实时间绘制）',
    'with limit={limit} the server should see exactly {limit} requests at once, it saw {run.max_in_flight}':
        'limit={limit} 时，服务器同时看到的请求应当恰好为 {limit} 个，实际为 {run.max_in_flight} 个',
    'with no callback at all and timeout=0.05 it should raise TimeoutError; it returned {got!r}':
        '完全没有回调且 timeout=0.05 时，它应该抛出 TimeoutError；它却返回了 {got!r}',
    "with no callback at all and timeout={timeout:g} it should raise TimeoutError; it returned {seen.get('shown')}":
        "完全没有回调且 timeout={timeout:g} 时，它应当抛出 TimeoutError；它却返回了 {seen.get('shown')}",
    'with no jobs there is nothing to wait for':
        '没有作业时，也就没有什么需要等待的',
    "with no jobs, run_bounded must return [], not {_shown(out['results'])!r}":
        "没有作业时，run_bounded 必须返回 []，而不是 {_shown(out['results'])!r}",
    'with no jobs, run_bounded must return [], not {result!r}':
        '没有作业时，run_bounded 必须返回 []，而不是 {result!r}',
    'with retries=1 a timed-out page is requested twice; the server saw {run.hits[1]} requests':
        'retries=1 时，超时的页面会被请求两次；服务器实际收到了 {run.hits[1]} 个请求',
    'with timeout=None, wait for fetch() however long it takes: expected {value!r} at {seconds:g} s; {_ended(out)}':
        'timeout=None 时，无论 fetch() 需要多久都要等它完成：预期在 {seconds:g} 秒时得到 {value!r}；实际：{_ended(out)}',
    "write() should run {_span(*write[:2])}, {write[2]}; got {_calls('write', out['write'])}":
        "write() 应当在 {_span(*write[:2])} 期间运行，结果为 {write[2]}；实际：{_calls('write', out['write'])}",
    "write()'s own ConnectionResetError must propagate; got {out['shown']}":
        "write() 自己的 ConnectionResetError 必须向外传播；实际得到 {out['shown']}",
    '{_call(0, value)} returned a future that was already done: even with delay 0 the timer completes it, later':
        '{_call(0, value)} 返回的 `Future` 对象已经完成了：即使延迟为 0，也应由定时器在稍后完成它',
    '{_where(seconds, workers)}, where the jobs at {sorted(fail)} raise':
        '{_where(seconds, workers)}，其中位于 {sorted(fail)} 的作业会抛出异常',
    "{_where(seconds, workers)}: at the busiest moment exactly {workers} jobs should run at once; yours ran {out['peak']}":
        "{_where(seconds, workers)}：最繁忙的时刻应当恰好有 {workers} 个作业同时运行；你的代码同时运行了 {out['peak']} 个",
    "{_where(seconds, workers)}: each job should run once, all {n} at once; {out['started']} calls were made, at most {out['peak']} at once":
        "{_where(seconds, workers)}：每个作业应当只运行一次，{n} 个作业全部同时运行；实际进行了 {out['started']} 次调用，最多 {out['peak']} 个同时运行",
    "{_where(seconds, workers)}: expected {n} results, got {_shown(out['results'])!r}":
        "{_where(seconds, workers)}：预期 {n} 个结果，实际得到 {_shown(out['results'])!r}",
    "{_where(seconds, workers)}: these tasks were still running when run_bounded returned: {out['left']}. Stop the workers (and wait for them) before returning.":
        "{_where(seconds, workers)}：run_bounded 返回时，这些任务仍在运行：{out['left']}。请在返回前停止工作者（并等待它们结束）。",
    "{_where(seconds, workers)}: your code created {out['tasks']} tasks. A pool uses its {workers} workers for all the jobs, never a task per job.":
        "{_where(seconds, workers)}：你的代码创建了 {out['tasks']} 个任务。工作者池用它的 {workers} 个工作者处理所有作业，绝不为每个作业创建一个任务。",
    "{b['name']} raised {kind}({message!r}): expected ({b['name']!r}, 'exception', that very exception object), got {_readable(got)!r}":
        "{b['name']} 抛出了 {kind}({message!r})：预期为 ({b['name']!r}, 'exception', <正是那个异常对象>)，实际得到 {_readable(got)!r}",
    '{call} returned a coroutine: define it with a plain `def`, not `async def`':
        '{call} 返回了一个协程：请用普通的 `def` 定义它，而不是 `async def`',
    '{call} set no timer: it should complete the future from a timer set with loop.call_later(delay, ...)':
        '{call} 没有设置定时器：它应当通过 loop.call_later(delay, ...) 设置的定时器来完成 `Future` 对象',
    "{call} should return a future, it returned {got['made']}":
        "{call} 应当返回一个 `Future` 对象，它返回的却是 {got['made']}",
    '{call} should return a future; it returned coroutine (define future_after with a plain `def`, not `async def`)':
        '{call} 应当返回一个 `Future` 对象；它返回的却是协程（请用普通的 `def` 定义 future_after，而不是 `async def`）',
    '{call} should return a future; it returned {made}':
        '{call} 应当返回一个 `Future` 对象；它返回的却是 {made}',
    '{count} /items pages':
        '{count} 个 /items 页面',
    '{count} pages answering {told}: results must follow the order of the URLs, {statuses}; got {run.results!r}':
        '{count} 个页面，应答情况为 {told}：结果必须按 URL 的顺序排列，即 {statuses}；实际得到 {run.results!r}',
    '{exercise} was cancelled at {at:g} s: it should end cancelled then{extra}; {ended(how, value, when)}':
        '{exercise} 在 {at:g} 秒时被取消：它应当在那一刻以取消状态结束{extra}；实际情况：{ended(how, value, when)}',
    "{facts.get('after'):g} s after close(), the call that was running was still waiting: it should end with an exception":
        "close() 之后 {facts.get('after'):g} 秒，原先正在运行的调用仍在等待：它应当以异常结束",
    '{final}: final; flaky: fails {failures} times; {failing}: retried {retries} times':
        '{final}：最终结果；flaky：失败 {failures} 次；{failing}：重试 {retries} 次',
    '{name} is larger than 64 MB':
        '{name} 大于 64 MB',
    '{name} is not a plain file':
        '{name} 不是普通文件',
    '{name} must be given the user that fetch_user returned; it got {tuple(args)!r}':
        '{name} 必须接收 fetch_user 返回的那个用户；它实际收到的参数是 {tuple(args)!r}',
    '{name}({a!r}, {b!r}, {delay!r}) returned {got!r}, expected {expected!r}':
        '{name}({a!r}, {b!r}, {delay!r}) 返回了 {got!r}，预期为 {expected!r}',
    '{n} jobs of {each:g} s through {workers} workers take ceil({n} / {workers}) = {rounds} rounds of {each:g} s.':
        '{n} 个 {each:g} 秒的作业交给 {workers} 个工作者，需要 ceil({n} / {workers}) = {rounds} 轮，每轮 {each:g} 秒。',
    '{pages} should give [200] * {count}, not {run.results!r}':
        '{pages} 应当得到 [200] * {count}，而不是 {run.results!r}',
    '{per_attempt:g} s for the attempt that timed out, then {seconds:g} s for the one that succeeded':
        '超时的那次尝试耗时 {per_attempt:g} 秒，然后成功的那次耗时 {seconds:g} 秒',
    "{should}; it raised {seen.get('shown')}":
        "{should}；它却抛出了 {seen.get('shown')}",
    "{should}; it returned {seen.get('shown_value')}":
        "{should}；它却返回了 {seen.get('shown_value')}",
    '{start:g}-{end:g} s':
        '{start:g}-{end:g} 秒',
    "{stop.get('what')} raised {stop.get('raised')}: {stop.get('message')}":
        "{stop.get('what')} 抛出了 {stop.get('raised')}：{stop.get('message')}",
    "{stop.get('what')} was still blocked after {stop.get('stuck'):g} s":
        "{stop.get('what')} 在 {stop.get('stuck'):g} 秒后仍被阻塞",
    '{told}, then {_shown(boom)}, with retries={calls - 1}: retry must raise that {boom[0]} after {calls} calls; it gave {did.gave} after {did.calls} calls':
        '先是 {told}，然后是 {_shown(boom)}，retries={calls - 1}：retry 必须在调用 {calls} 次后抛出那个 {boom[0]}；实际调用 {did.calls} 次后得到 {did.gave}',
    '{told}, then {final}: retry should return {final}, not {did.gave}':
        '先是 {told}，然后是 {final}：retry 应当返回 {final}，而不是 {did.gave}',
    '{waited:g} s after the timeout, the coroutine had still not been cancelled on the loop (it never saw CancelledError)':
        '超时之后 {waited:g} 秒，协程仍未在事件循环上被取消（它从未收到 CancelledError）',
    '{what} gave {got!r}, expected {value!r}':
        '{what} 得到了 {got!r}，预期为 {value!r}',
    '{what} should return {result!r}, it returned {did.gave}':
        '{what} 应当返回 {result!r}，实际得到 {did.gave}',
    '{what} was still blocked after 5 s':
        '{what} 过了 5 秒仍处于阻塞状态',
    '{what}: attempt {n + 1} started before attempt {n} had ended (one attempt at a time)':
        '{what}：第 {n + 1} 次尝试在第 {n} 次尝试结束之前就开始了（一次只能进行一次尝试）',
    '{what}: attempts should start at t = {_times(started)}, they started at t = {_times(did.starts)}. {hint}':
        '{what}：尝试应当在 t = {_times(started)} 时开始，实际在 t = {_times(did.starts)} 时开始。{hint}',
    "{where}: a job that raises must not stop run_bounded, but {shown} escaped from it. Put the exception in the job's place in the results.":
        '{where}：抛出异常的作业不能让 run_bounded 中止，但 {shown} 从它里面传播了出来。请把异常放在结果中该作业的位置上。',
    "{where}: expected the results {expected} (the exception in the failed job's place), got {_shown(results)!r}":
        '{where}：预期结果为 {expected}（异常位于失败作业的位置上），实际得到 {_shown(results)!r}',
    '{where}: expected wait_for_callback to {want} at t = {expected[2]:g} s of virtual time, the very moment it happens; it {_said(seen)} at t = {at:g} s':
        '{where}：预期 wait_for_callback 在虚拟时间 t = {expected[2]:g} 秒，也就是事情发生的那一刻结束，结果为 {want}；实际上它在 t = {at:g} 秒结束，结果为 {_said(seen)}',
    '{where}: expected wait_for_callback to {want}; it {_said(seen)} (at t = {at:g} s)':
        '{where}：预期 wait_for_callback 的结果为 {want}；实际为 {_said(seen)}（t = {at:g} 秒时）',
    '{where}: the event loop reported an error: {message} ({exception}). Later calls of the callback must be ignored.':
        '{where}：事件循环报告了一个错误：{message}（{exception}）。之后对回调的调用必须被忽略。',
    '{where}: your callback raised {name}: {message}, when the library called it from its own thread. From another thread, reach the event loop only through loop.call_soon_threadsafe(...).':
        '{where}：库从它自己的线程调用你的回调时，回调抛出了 {name}：{message}。从另一个线程访问事件循环时，只能通过 loop.call_soon_threadsafe(...)。',
    "{why}; still running after {ended_at:g} s: {', '.join(late)}":
        "{why}；在 {ended_at:g} 秒之后仍在运行的有：{', '.join(late)}",
}
