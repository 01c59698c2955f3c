// The dashboard page: plain ES module, no framework, no build step. It receives everything
// over one WebSocket (/ws) and re-renders the part that changed:
//   state   the cluster view derived from the znodes (brokers, controller, topics,
//           reassignments) and the list of znode paths
//   events  new timeline entries (each with the znode that recorded it)
//   stats   rates and consumer groups, polled from the brokers every 2 s
//   znodes  paths that changed, so the znode browser can refresh the node on screen
// Actions are POSTs to /api/action/<name>, each after a confirmation that shows what will be
// written where. Charts are uPlot (served from node_modules by the dashboard itself).

const $ = (sel) => document.querySelector(sel);
const esc = (v) =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
const list = (ids) => `[${ids.join(',')}]`;

const model = {
  view: null,
  readOnly: true,
  connected: false,
  znodePaths: [],
  rates: null,
  groups: [],
  timeline: [],
  selectedZnode: '/brokers/ids',
  openZnodes: new Set(['/', '/brokers', '/brokers/ids', '/brokers/topics', '/admin', '/config']),
  /** Previous leader of each partition, to animate a move. */
  leaders: new Map(),
  reassignTopic: null,
  /** Internal topics whose partitions are shown. */
  unfolded: new Set(),
  reassignDraft: new Map(),
};

// ---------------------------------------------------------------------------------------
// WebSocket: reconnects with a short backoff; the server sends a full state on connect.

function connect() {
  // wss:// when the page came over https (--https); a login the browser gave goes along.
  const ws = new WebSocket(
    `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
  );
  ws.onmessage = (m) => onMessage(JSON.parse(m.data));
  ws.onclose = () => {
    model.connected = false;
    renderConnection('dashboard connection lost; retrying…');
    setTimeout(connect, 1000);
  };
}

function onMessage(msg) {
  switch (msg.type) {
    case 'state':
      model.view = msg.view;
      model.readOnly = msg.readOnly;
      model.connected = msg.connected;
      model.coordinator = msg.coordinator;
      model.znodePaths = msg.znodePaths;
      renderState();
      break;
    case 'events':
      if (msg.reset) model.timeline = [];
      model.timeline.push(...msg.events);
      if (model.timeline.length > 500) model.timeline.splice(0, model.timeline.length - 500);
      renderTimeline();
      break;
    case 'stats':
      model.rates = msg.rates;
      model.groups = msg.groups;
      renderRates();
      renderGroups();
      break;
    case 'znodes':
      if (msg.changed.some((p) => model.selectedZnode.startsWith(p) || p === model.selectedZnode))
        void loadZnode(model.selectedZnode);
      break;
  }
}

// ---------------------------------------------------------------------------------------
// Header, brokers, topics

function renderConnection(text) {
  const el = $('#connection');
  el.textContent = text;
  el.className = `connection ${model.connected ? 'ok' : 'bad'}`;
}

function renderState() {
  const v = model.view;
  document.body.classList.toggle('read-only', model.readOnly);
  renderConnection(
    model.connected
      ? `coordinator ${model.coordinator}${model.readOnly ? ' · read-only' : ''}`
      : `not connected to ${model.coordinator}`,
  );
  const live = v.brokers.filter((b) => b.alive).length;
  const partitions = v.topics.reduce((n, t) => n + t.partitions.length, 0);
  const bad = v.topics.flatMap((t) => t.partitions).filter((p) => p.health !== 'ok').length;
  $('#summary').innerHTML =
    `<span>cluster <b>${esc(v.clusterId ?? '–')}</b></span>` +
    `<span><b>${live}</b>/${v.brokers.length} brokers up</span>` +
    `<span>controller <b>${v.controller ? `broker ${v.controller.brokerId}` : 'none'}</b>` +
    ` · epoch <b>${v.controller?.epoch ?? '–'}</b></span>` +
    `<span><b>${v.topics.length}</b> topics · <b>${partitions}</b> partitions` +
    (bad > 0 ? ` · <b class="bad-text">${bad} not healthy</b>` : '') +
    '</span>';
  renderBrokers();
  renderTopics();
  renderReassignments();
  renderReassignEditor();
  renderZnodeTree();
}

function renderBrokers() {
  const v = model.view;
  $('#brokers').innerHTML = v.brokers
    .map((b) => {
      const controller = v.controller?.brokerId === b.id && b.alive;
      return `
      <div class="broker ${b.alive ? 'alive' : 'dead'} ${controller ? 'controller' : ''}"
           data-broker="${b.id}">
        <div class="broker-title">Broker ${b.id}
          ${controller ? `<span class="badge">controller · epoch ${v.controller.epoch}</span>` : ''}
        </div>
        <div class="broker-status">${b.alive ? 'up' : 'DOWN'}</div>
        <div class="broker-detail">
          ${b.alive ? esc(`${b.host}:${b.port}`) : 'no registration in /brokers/ids'}</div>
        <div class="broker-detail">${b.leaderCount} leader · ${b.replicaCount} replicas</div>
        <div class="broker-detail mono">${b.session ? `session ${esc(b.session)}` : '&nbsp;'}</div>
      </div>`;
    })
    .join('');
}

function replicaCell(p, brokerId) {
  if (!p.replicas.includes(brokerId)) return '<td class="cell none"></td>';
  const adding = p.addingReplicas.includes(brokerId);
  const removing = p.removingReplicas.includes(brokerId);
  let cls = 'out';
  let text = '–';
  if (p.leader === brokerId) {
    cls = 'leader';
    text = 'L';
  } else if (p.isr.includes(brokerId)) {
    cls = 'follower';
    text = 'F';
  }
  if (adding && cls === 'out') {
    cls = 'adding';
    text = '+';
  }
  const classes = `cell ${cls}${removing ? ' removing' : ''}`;
  return `<td class="${classes}" data-replica="${brokerId}">${text}</td>`;
}

function renderTopics() {
  const v = model.view;
  const brokerIds = v.brokers.map((b) => b.id);
  const moved = [];
  // Internal topics (__consumer_offsets has 50 partitions) come last, folded to one line.
  const topics = [...v.topics].sort(
    (a, b) => Number(a.name.startsWith('__')) - Number(b.name.startsWith('__')),
  );
  const html = topics
    .map((t) => {
      const folded = t.name.startsWith('__') && !model.unfolded.has(t.name);
      const rf = t.partitions[0]?.replicas.length ?? 0;
      const config = Object.entries(t.config)
        .filter(([k]) => k !== 'min.insync.replicas')
        .map(([k, val]) => `${esc(k)}=${esc(val)}`)
        .join(', ');
      const rows = t.partitions
        .map((p) => {
          const key = `${t.name}-${p.partition}`;
          const before = model.leaders.get(key);
          if (before !== undefined && before !== p.leader) moved.push(key);
          model.leaders.set(key, p.leader);
          return `
          <tr class="partition health-${p.health}" data-partition="${esc(key)}"
              data-leader="${p.leader}" data-leader-epoch="${p.leaderEpoch}">
            <td class="pnum">${p.partition}</td>
            ${brokerIds.map((id) => replicaCell(p, id)).join('')}
            <td class="leader-col"><b>${p.leader < 0 ? 'none' : p.leader}</b></td>
            <td class="epoch-col">${p.leaderEpoch}</td>
            <td class="mono">${list(p.replicas)}</td>
            <td class="mono">${list(p.isr)}</td>
            <td><span class="pill health-${p.health}">${p.health}</span></td>
          </tr>`;
        })
        .join('');
      return `
      <div class="card topic" data-topic="${esc(t.name)}">
        <div class="card-head">
          <h3>${esc(t.name)}</h3>
          <span class="muted">${t.partitions.length} partitions · RF ${rf} ·
            min.insync.replicas ${t.minInsyncReplicas}${config ? ` · ${config}` : ''}</span>
          <span class="buttons">
            <button class="action small" data-act="add-partitions"
              data-topic="${esc(t.name)}">Add partitions…</button>
            <button class="action small" data-act="alter-config"
              data-topic="${esc(t.name)}">Config…</button>
          </span>
        </div>
        ${foldLine(t, folded)}
        <table class="grid ${folded ? 'folded' : ''}">
          <thead><tr><th>P</th>${brokerIds.map((id) => `<th>b${id}</th>`).join('')}
            <th>Leader</th><th>Epoch</th><th>Replicas</th><th>ISR</th><th>State</th></tr></thead>
          <tbody>${rows}</tbody>
        </table>
      </div>`;
    })
    .join('');
  $('#topics').innerHTML = html || '<p class="muted">No topics yet.</p>';
  // A leadership move: the new leader's cell glows for a few seconds.
  for (const key of moved) {
    const row = document.querySelector(`tr[data-partition="${CSS.escape(key)}"]`);
    row?.classList.add('moved');
    row?.querySelector('.cell.leader')?.classList.add('new-leader');
  }
}

function foldLine(t, folded) {
  if (!t.name.startsWith('__')) return '';
  const counts = {};
  for (const p of t.partitions) counts[p.health] = (counts[p.health] ?? 0) + 1;
  const text = Object.entries(counts)
    .map(([h, n]) => `<span class="pill health-${h}">${n} ${h}</span>`)
    .join(' ');
  return `<div class="fold">internal topic: ${text}
    <button class="link" data-fold="${esc(t.name)}">${folded ? 'show' : 'hide'} partitions</button>
    </div>`;
}

function progressBar(r) {
  const pct = r.target.length === 0 ? 0 : Math.round((100 * r.targetInSync) / r.target.length);
  return `
    <div class="reassignment" data-reassignment="${esc(`${r.topic}-${r.partition}`)}">
      <div><b>${esc(r.topic)}-${r.partition}</b> → ${list(r.target)}
        <span class="muted">replicas now ${list(r.current)}; adding ${list(r.addingReplicas)},
        removing ${list(r.removingReplicas)}</span></div>
      <div class="bar"><div style="width:${pct}%"></div></div>
      <div class="muted">${r.targetInSync}/${r.target.length} target replicas in sync</div>
    </div>`;
}

function renderReassignments() {
  const rs = model.view.reassignments;
  const html = rs.length ? rs.map(progressBar).join('') : '<p class="muted">None.</p>';
  $('#reassignments').innerHTML = html;
  $('#reassign-progress').innerHTML = html;
}

// ---------------------------------------------------------------------------------------
// Charts (uPlot). One chart per panel, created once and fed with setData.

const PALETTE = ['#2563eb', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#65a30d'];
const charts = new Map();

function chart(container, key, title, seriesMap, unit) {
  const names = Object.keys(seriesMap).sort();
  let entry = charts.get(key);
  if (entry && (entry.names.join() !== names.join() || !container.contains(entry.el))) {
    entry.plot.destroy();
    entry.el.remove();
    charts.delete(key);
    entry = undefined;
  }
  // uPlot wants one x axis: align every series on the union of times.
  const times = [...new Set(names.flatMap((n) => seriesMap[n][0]))].sort((a, b) => a - b);
  const data = [
    times,
    ...names.map((n) => {
      const [ts, vs] = seriesMap[n];
      const at = new Map(ts.map((t, i) => [t, vs[i]]));
      return times.map((t) => at.get(t) ?? null);
    }),
  ];
  if (!entry) {
    const el = document.createElement('div');
    el.className = 'chart';
    el.dataset.chart = key;
    container.appendChild(el);
    const width = Math.max(280, Math.min(560, container.clientWidth / 2 - 24));
    const plot = new uPlot(
      {
        title,
        width,
        height: 170,
        scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [{}, { values: (_u, vals) => vals.map((v) => `${fmt(v)}${unit}`), size: 70 }],
        series: [
          {},
          ...names.map((n, i) => ({
            label: n,
            stroke: PALETTE[i % PALETTE.length],
            width: 2,
            spanGaps: true,
          })),
        ],
        legend: { live: false },
      },
      data,
      el,
    );
    entry = { plot, names, el };
    charts.set(key, entry);
  } else {
    entry.plot.setData(data);
  }
}

function fmt(v) {
  if (v === null || v === undefined) return '';
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (Math.abs(v) >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function renderRates() {
  const r = model.rates;
  if (!r) return;
  const el = $('#rates');
  chart(el, 'topic-messages', 'messages/s in per topic', r.topicMessages, '');
  chart(el, 'broker-messages', 'messages/s in per leader broker', r.brokerMessages, '');
  if (r.metricsReachable) {
    chart(el, 'topic-bytes-in', 'bytes/s in per topic (/metrics)', r.topicBytesIn, 'B');
    chart(el, 'broker-bytes-in', 'bytes/s in per broker (/metrics)', r.brokerBytesIn, 'B');
    chart(el, 'topic-bytes-out', 'bytes/s out per topic (/metrics)', r.topicBytesOut, 'B');
    chart(el, 'broker-bytes-out', 'bytes/s out per broker (/metrics)', r.brokerBytesOut, 'B');
  }
  renderTotals(r);
}

/** What the charts add up to since the dashboard started: a table per topic and per broker. */
function renderTotals(r) {
  const since = r.sinceMs ? new Date(r.sinceMs).toLocaleTimeString() : '–';
  const bytes = (v) => (r.metricsReachable ? `${fmt(v)}B` : '–');
  const rows = (kind, totals) =>
    Object.entries(totals)
      .map(
        ([key, v]) => `
        <tr data-totals="${kind}:${esc(key)}">
          <td>${kind === 'broker' ? `broker ${esc(key)}` : esc(key)}</td>
          <td class="num" data-figure="messages">${fmt(v.messages)}</td>
          <td class="num" data-figure="bytesIn">${bytes(v.bytesIn)}</td>
          <td class="num" data-figure="bytesOut">${bytes(v.bytesOut)}</td>
        </tr>`,
      )
      .join('');
  $('#totals').innerHTML = `
    <table class="plain totals">
      <thead><tr><th>since ${esc(since)}</th><th>messages in</th><th>bytes in</th>
        <th>bytes out</th></tr></thead>
      <tbody>${rows('topic', r.totals.topics)}${rows('broker', r.totals.brokers)}</tbody>
    </table>`;
}

// ---------------------------------------------------------------------------------------
// Consumer groups: a card per group, kept between updates so its lag chart survives.

async function renderGroups() {
  const container = $('#groups');
  if (model.groups.length === 0) {
    container.innerHTML = '<p class="muted">No consumer groups yet.</p>';
    return;
  }
  container.querySelector('p.muted')?.remove();
  const ids = new Set(model.groups.map((g) => g.groupId));
  for (const card of [...container.querySelectorAll('.group')]) {
    if (!ids.has(card.dataset.group)) card.remove();
  }
  for (const g of model.groups) {
    let card = container.querySelector(`.group[data-group="${CSS.escape(g.groupId)}"]`);
    if (!card) {
      card = document.createElement('div');
      card.className = 'card group';
      card.dataset.group = g.groupId;
      card.innerHTML = '<div class="group-info"></div><div class="group-chart charts"></div>';
    }
    // In the order the dashboard sends (by group id): a card created earlier moves into place.
    container.appendChild(card);
    const members = g.members
      .map(
        (m) =>
          `<li><b>${esc(m.clientId)}</b> ` +
          `<span class="muted mono">${esc(m.memberId)} ${esc(m.host)}</span><br/>` +
          m.assignment.map((a) => `${esc(a.topic)} ${list(a.partitions)}`).join('; ') +
          '</li>',
      )
      .join('');
    const rows = g.partitions
      .map(
        (p) => `<tr><td>${esc(p.topic)}-${p.partition}</td>
          <td>${p.currentOffset < 0 ? '–' : p.currentOffset}</td>
          <td>${p.logEndOffset}</td><td class="${p.lag > 0 ? 'lag' : ''}">${p.lag ?? '–'}</td>
          <td class="mono">${esc(p.consumerId ?? '–')}</td></tr>`,
      )
      .join('');
    card.querySelector('.group-info').innerHTML = `
      <div class="card-head">
        <h3>${esc(g.groupId)}</h3>
        <span class="pill state-${esc(g.state)}">${esc(g.state)}</span>
        <span class="muted">coordinator broker ${g.coordinator} ·
          ${g.members.length} member${g.members.length === 1 ? '' : 's'} ·
          ${esc(g.protocol || 'no assignor')} · total lag <b>${g.totalLag}</b></span>
        <span class="buttons"><button class="action small" data-act="reset-offsets"
          data-group="${esc(g.groupId)}">Reset offsets…</button></span>
      </div>
      <ul class="members">${members || '<li class="muted">no members (Empty)</li>'}</ul>
      <table class="plain"><thead><tr><th>Partition</th><th>Committed</th><th>Log end</th>
        <th>Lag</th><th>Consumer</th></tr></thead><tbody>${rows}</tbody></table>`;
    const history = await (await fetch(`/api/lag?group=${encodeURIComponent(g.groupId)}`)).json();
    if (Object.keys(history).length > 0)
      chart(
        card.querySelector('.group-chart'),
        `lag-${g.groupId}`,
        `lag of ${g.groupId}`,
        history,
        '',
      );
  }
}

// ---------------------------------------------------------------------------------------
// Timeline

function renderTimeline() {
  $('#timeline').innerHTML = model.timeline
    .slice()
    .reverse()
    .slice(0, 200)
    .map((e) => {
      const time = new Date(e.timeMs).toLocaleTimeString([], { hour12: false });
      return `<li class="event ${esc(e.level)}" data-kind="${esc(e.kind)}">
        <span class="time">${time}</span> <span class="kind">${esc(e.kind)}</span>
        <div>${esc(e.text)}</div><div class="znode mono">${esc(e.znode)}</div></li>`;
    })
    .join('');
}

// ---------------------------------------------------------------------------------------
// ZNode browser: the tree from the mirrored paths, the selected node fetched on demand and
// again whenever it changes.

function renderZnodeTree() {
  const paths = model.znodePaths;
  const children = new Map();
  for (const p of paths) {
    if (p === '/') continue;
    const parent = p.slice(0, p.lastIndexOf('/')) || '/';
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(p);
  }
  const item = (p, depth) => {
    const kids = children.get(p) ?? [];
    const open = model.openZnodes.has(p);
    const name = p === '/' ? '/' : p.slice(p.lastIndexOf('/') + 1);
    const toggle = kids.length ? (open ? '▾' : '▸') : '·';
    const selected = p === model.selectedZnode ? 'selected' : '';
    let html = `<div class="zitem ${selected}" data-path="${esc(p)}"
      style="padding-left:${depth * 16 + 4}px"><span class="toggle">${toggle}</span> ${esc(name)}
      ${kids.length ? `<span class="muted">(${kids.length})</span>` : ''}</div>`;
    if (open) for (const k of kids) html += item(k, depth + 1);
    return html;
  };
  $('#znode-tree').innerHTML = item('/', 0);
}

async function loadZnode(path) {
  model.selectedZnode = path;
  const response = await fetch(`/api/znode?path=${encodeURIComponent(path)}`);
  const el = $('#znode-detail');
  if (!response.ok) {
    el.innerHTML = `<h3 class="mono">${esc(path)}</h3><p class="muted">deleted</p>`;
    return;
  }
  const n = await response.json();
  const s = n.stat;
  const stat = [
    ['czxid', s.czxid],
    ['mzxid', s.mzxid],
    ['pzxid', s.pzxid],
    ['ctime', new Date(s.ctime).toISOString()],
    ['mtime', new Date(s.mtime).toISOString()],
    ['version', s.version],
    ['cversion', s.cversion],
    ['aversion', s.aversion],
    ['ephemeralOwner', s.ephemeralOwner],
    ['dataLength', s.dataLength],
    ['numChildren', s.numChildren],
  ];
  const broker = n.ownerBroker !== null ? ` (broker ${n.ownerBroker})` : '';
  const owner =
    '<p class="owner">ephemeral, owned by session ' +
    `<b class="mono">${esc(s.ephemeralOwner)}</b>${broker}</p>`;
  const noData = '<span class="muted">(no data)</span>';
  const statRow = (k, v) => `<tr><th>${k}</th><td class="mono">${esc(v)}</td></tr>`;
  el.innerHTML = `
    <h3 class="mono">${esc(n.path)}</h3>
    ${n.ephemeral ? owner : '<p class="muted">persistent</p>'}
    <pre class="json">${n.data === null ? noData : esc(n.data)}</pre>
    <table class="plain stat">${stat.map(([k, v]) => statRow(k, v)).join('')}</table>`;
  renderZnodeTree();
}

// ---------------------------------------------------------------------------------------
// Reassignment editor

const draftOf = (topic, p) => model.reassignDraft.get(`${topic}-${p.partition}`) ?? p.replicas;

function renderReassignEditor() {
  const v = model.view;
  const select = $('#reassign-topic');
  const names = v.topics.map((t) => t.name);
  if (select.dataset.names !== names.join()) {
    select.innerHTML = names.map((n) => `<option>${esc(n)}</option>`).join('');
    select.dataset.names = names.join();
    if (!names.includes(model.reassignTopic)) model.reassignTopic = names[0] ?? null;
    select.value = model.reassignTopic ?? '';
  }
  const topic = v.topics.find((t) => t.name === model.reassignTopic);
  const editor = $('#reassign-editor');
  if (!topic) {
    editor.innerHTML = '<p class="muted">No topics.</p>';
    return;
  }
  if (
    editor.dataset.topic === topic.name &&
    editor.dataset.parts === String(topic.partitions.length)
  ) {
    // Keep what the user is typing; just refresh the current column.
    for (const p of topic.partitions) {
      const cur = editor.querySelector(`[data-current="${p.partition}"]`);
      if (cur) cur.textContent = list(p.replicas);
    }
    renderPlan();
    return;
  }
  editor.dataset.topic = topic.name;
  editor.dataset.parts = String(topic.partitions.length);
  editor.innerHTML = `<table class="plain"><thead><tr><th>Partition</th><th>Current replicas</th>
    <th>New replicas (comma-separated broker ids, preferred leader first)</th></tr></thead><tbody>
    ${topic.partitions
      .map(
        (p) => `<tr><td>${p.partition}</td>
        <td class="mono" data-current="${p.partition}">${list(p.replicas)}</td>
        <td><input class="replicas-input" data-partition="${p.partition}"
          value="${esc(draftOf(topic.name, p).join(','))}"/></td></tr>`,
      )
      .join('')}</tbody></table>`;
  renderPlan();
}

function currentPlan() {
  const topic = model.view?.topics.find((t) => t.name === model.reassignTopic);
  if (!topic) return [];
  const plan = [];
  for (const input of document.querySelectorAll('.replicas-input')) {
    const partition = Number(input.dataset.partition);
    const replicas = input.value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(Number);
    const p = topic.partitions.find((x) => x.partition === partition);
    if (p && replicas.join() !== p.replicas.join())
      plan.push({ topic: topic.name, partition, replicas });
  }
  return plan;
}

function planJson(plan) {
  return JSON.stringify(
    {
      version: 1,
      partitions: plan.map((p) => ({ ...p, log_dirs: p.replicas.map(() => 'any') })),
    },
    null,
    2,
  );
}

function renderPlan() {
  const plan = currentPlan();
  $('#reassign-plan').textContent = plan.length ? planJson(plan) : '(no changes yet)';
}

// ---------------------------------------------------------------------------------------
// Actions: a dialog shows what will be written; Confirm posts it.

function confirmDialog(title, bodyHtml) {
  const dialog = $('#dialog');
  $('#dialog-title').textContent = title;
  $('#dialog-body').innerHTML = bodyHtml;
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), {
      once: true,
    });
  });
}

function toast(text, ok) {
  const el = $('#toast');
  el.textContent = text;
  el.className = `toast show ${ok ? 'ok' : 'bad'}`;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.className = 'toast'), 6000);
}

async function post(action, body) {
  const response = await fetch(`/api/action/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const result = await response.json();
  toast(result.message, result.ok);
  return result;
}

const field = (id, label, value, type = 'text') =>
  `<label class="field">${label}<input id="${id}" type="${type}" value="${esc(value)}"/></label>`;
const val = (id) => document.getElementById(id).value;

async function createTopicAction() {
  const live = model.view.brokers.filter((b) => b.alive).length;
  const ok = await confirmDialog(
    'Create a topic',
    field('f-topic', 'Name', 'orders') +
      field('f-partitions', 'Partitions', 3, 'number') +
      field('f-rf', 'Replication factor', Math.min(3, live), 'number') +
      field('f-config', 'Config (k=v, comma-separated)', 'min.insync.replicas=2') +
      '<p class="note">Writes <code>/config/topics/&lt;name&gt;</code>, then ' +
      '<code>/brokers/topics/&lt;name&gt;</code> with the replica assignment; the controller ' +
      "sees the new child of /brokers/topics, creates each partition's state znode and " +
      'elects leaders.</p>',
  );
  if (!ok) return;
  await post('create-topic', {
    topic: val('f-topic'),
    partitions: Number(val('f-partitions')),
    replicationFactor: Number(val('f-rf')),
    config: parseConfig(val('f-config')),
  });
}

function parseConfig(text) {
  return Object.fromEntries(
    text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.includes('='))
      .map((s) => [s.slice(0, s.indexOf('=')).trim(), s.slice(s.indexOf('=') + 1).trim()]),
  );
}

async function addPartitionsAction(topic) {
  const t = model.view.topics.find((x) => x.name === topic);
  const ok = await confirmDialog(
    `Add partitions to ${topic}`,
    field('f-total', 'New total number of partitions', t.partitions.length + 1, 'number') +
      `<p class="note">Rewrites <code>/brokers/topics/${esc(topic)}</code> with the new ` +
      'partitions (existing ones keep their replicas). Keyed messages may then map to other ' +
      'partitions.</p>',
  );
  if (ok) await post('add-partitions', { topic, totalPartitions: Number(val('f-total')) });
}

async function alterConfigAction(topic) {
  const t = model.view.topics.find((x) => x.name === topic);
  const current = Object.entries(t.config)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const ok = await confirmDialog(
    `Config of ${topic}`,
    field('f-config', 'Overrides (k=v, comma-separated; the whole set)', current) +
      `<p class="note">Writes <code>/config/topics/${esc(topic)}</code> and a sequential ` +
      '<code>/config/changes/config_change_</code> node <code>{"version":2,"entity_path":' +
      `"topics/${esc(topic)}"}</code> that tells every broker to re-read it, as ` +
      '<code>kafka-configs.sh --zookeeper</code> did.</p>',
  );
  if (ok) await post('alter-topic-config', { topic, config: parseConfig(val('f-config')) });
}

async function preferredElectionAction() {
  const ok = await confirmDialog(
    'Preferred leader election',
    '<p>Move leadership of every partition back to its preferred replica (the first of its ' +
      'replica list), where that replica is in the ISR.</p><p class="note">Writes ' +
      '<code>/admin/preferred_replica_election</code>; the controller runs the elections ' +
      'and deletes the node.</p>',
  );
  if (ok) await post('preferred-election', {});
}

async function reassignAction() {
  const plan = currentPlan();
  if (plan.length === 0) {
    toast('change at least one replica list first', false);
    return;
  }
  const ok = await confirmDialog(
    'Execute this reassignment?',
    '<p>Writes <code>/admin/reassign_partitions</code>:</p>' +
      `<pre class="json">${esc(planJson(plan))}</pre>`,
  );
  if (ok) await post('reassign-partitions', { partitions: plan });
}

async function resetOffsetsAction(groupId) {
  const g = model.groups.find((x) => x.groupId === groupId);
  const topics = [...new Set(g.partitions.map((p) => p.topic))];
  const ok = await confirmDialog(
    `Reset the offsets of ${groupId}`,
    `<label class="field">Topic<select id="f-topic">` +
      topics.map((t) => `<option>${esc(t)}</option>`).join('') +
      '</select></label>' +
      '<label class="field">To<select id="f-to"><option value="earliest">earliest</option>' +
      '<option value="latest">latest</option><option value="offset">offset…</option>' +
      '<option value="shift">shift by…</option></select></label>' +
      field('f-n', 'Offset or shift (for offset / shift by)', 0, 'number') +
      '<p class="note">Sends OffsetCommit with generation -1 and no member, as ' +
      '<code>kafka-consumer-groups.sh --reset-offsets --execute</code> does. Only for an ' +
      'Empty group: stop its consumers first.</p>',
  );
  if (!ok) return;
  const to = val('f-to');
  const n = Number(val('f-n'));
  const spec =
    to === 'offset'
      ? { kind: 'offset', offset: n }
      : to === 'shift'
        ? { kind: 'shift', by: n }
        : { kind: to };
  await post('reset-offsets', { groupId, topic: val('f-topic'), spec });
}

// ---------------------------------------------------------------------------------------
// Wiring

document.addEventListener('click', (e) => {
  const tab = e.target.closest('[data-tab]');
  if (tab) {
    for (const b of document.querySelectorAll('#tabs button'))
      b.classList.toggle('active', b === tab);
    for (const s of document.querySelectorAll('.tab'))
      s.classList.toggle('active', s.id === `tab-${tab.dataset.tab}`);
    if (tab.dataset.tab === 'znodes') void loadZnode(model.selectedZnode);
    return;
  }
  const z = e.target.closest('.zitem');
  if (z) {
    const p = z.dataset.path;
    if (model.openZnodes.has(p) && p === model.selectedZnode) model.openZnodes.delete(p);
    else model.openZnodes.add(p);
    void loadZnode(p);
    return;
  }
  const fold = e.target.closest('[data-fold]');
  if (fold) {
    const name = fold.dataset.fold;
    if (model.unfolded.has(name)) model.unfolded.delete(name);
    else model.unfolded.add(name);
    renderTopics();
    return;
  }
  const act = e.target.closest('[data-act]');
  if (act?.dataset.act === 'add-partitions') void addPartitionsAction(act.dataset.topic);
  if (act?.dataset.act === 'alter-config') void alterConfigAction(act.dataset.topic);
  if (act?.dataset.act === 'reset-offsets') void resetOffsetsAction(act.dataset.group);
});
$('#create-topic').addEventListener('click', () => void createTopicAction());
$('#preferred-election').addEventListener('click', () => void preferredElectionAction());
$('#reassign-execute').addEventListener('click', () => void reassignAction());
$('#reassign-topic').addEventListener('change', (e) => {
  model.reassignTopic = e.target.value;
  renderReassignEditor();
});
document.addEventListener('input', (e) => {
  if (e.target.classList.contains('replicas-input')) {
    model.reassignDraft.set(
      `${model.reassignTopic}-${e.target.dataset.partition}`,
      e.target.value.split(','),
    );
    renderPlan();
  }
});

connect();
