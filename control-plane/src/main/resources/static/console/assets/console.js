// Stratus operator console: the charts (Chart.js), and what htmx needs when a session has ended.
// Loaded from the page's own origin only (the content security policy allows nothing else).
(function () {
  'use strict';
  const UTC_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  const UTC_FULL = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'medium' });
  const COLORS = { cu: '#0b57d0', cpu: '#b45309', connections: '#116329', event: '#b42318' };

  // A database's CU over time, the CPU it used and its connections, with each scaling event as a marked point.
  function seriesChart(canvas) {
    let chart = null;
    const empty = document.getElementById('chart-empty');
    async function draw() {
      const response = await fetch(canvas.dataset.series, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      const loading = document.getElementById('chart-loading');
      if (!response.ok) {
        if (loading) { loading.textContent = 'The series could not be loaded (' + response.status + '); retrying.'; }
        return;
      }
      const data = await response.json();
      if (loading) { loading.hidden = true; }
      const cu = data.points.map(p => ({ x: p.t, y: Number(p.cu) }));
      const cpu = data.points.map(p => ({ x: p.t, y: p.cpu }));
      const connections = data.points.map(p => ({ x: p.t, y: p.connections }));
      const events = data.events.map(e => ({ x: e.t, y: Number(e.toCu), reason: e.reason, from: Number(e.fromCu) }));
      if (empty) { empty.hidden = data.points.length > 0 || data.events.length > 0; }
      const datasets = [
        { label: 'CU granted', data: cu, borderColor: COLORS.cu, backgroundColor: COLORS.cu, stepped: true, pointRadius: 0, borderWidth: 2, yAxisID: 'y' },
        { label: 'CPU used (cores)', data: cpu, borderColor: COLORS.cpu, backgroundColor: COLORS.cpu, pointRadius: 0, borderWidth: 1, yAxisID: 'y' },
        { label: 'connections', data: connections, borderColor: COLORS.connections, backgroundColor: COLORS.connections, pointRadius: 0, borderWidth: 1, borderDash: [4, 3], yAxisID: 'y1' },
        { label: 'scaling events', type: 'scatter', data: events, borderColor: COLORS.event, backgroundColor: COLORS.event, pointStyle: 'triangle', pointRadius: 7, yAxisID: 'y' }
      ];
      if (chart) {
        chart.data.datasets.forEach((d, i) => { d.data = datasets[i].data; });
        chart.options.scales.x.min = data.from; chart.options.scales.x.max = data.to;
        chart.update('none');
      } else {
        chart = new Chart(canvas, {
          type: 'line',
          data: { datasets: datasets },
          options: {
            animation: false, maintainAspectRatio: false, parsing: true, normalized: true,
            interaction: { mode: 'nearest', intersect: false },
            scales: {
              x: { type: 'linear', min: data.from, max: data.to, title: { display: true, text: 'time (UTC)' },
                   ticks: { maxTicksLimit: 8, callback: v => UTC_TIME.format(new Date(v)) } },
              y: { beginAtZero: true, title: { display: true, text: 'CU / cores' } },
              y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'connections' },
                    ticks: { precision: 0 } }
            },
            plugins: {
              tooltip: { callbacks: {
                title: items => items.length ? UTC_FULL.format(new Date(items[0].parsed.x)) + ' UTC' : '',
                label: item => item.dataset.type === 'scatter'
                  ? 'scaled ' + item.raw.from + ' → ' + item.raw.y + ' CU: ' + item.raw.reason
                  : item.dataset.label + ': ' + item.formattedValue } }
            }
          }
        });
      }
      canvas.dataset.points = String(data.points.length);
      canvas.dataset.events = String(data.events.length);
    }
    // A failed refresh (the control plane restarting, a network blip) leaves the chart as it was until the next one.
    const refresh = () => draw().catch(() => {});
    refresh();
    setInterval(refresh, 5000);
  }

  // Usage per day: CU-hours (left axis) and requests (right axis), from the page's own data attribute.
  function barChart(canvas) {
    const spec = JSON.parse(canvas.dataset.chart);
    const colors = [COLORS.cu, COLORS.connections];
    new Chart(canvas, {
      type: 'bar',
      data: { labels: spec.labels, datasets: spec.datasets.map((d, i) => Object.assign({}, d, { backgroundColor: colors[i % 2] })) },
      options: { animation: false, maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: 'CU-hours' } },
                  y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'requests' } } } }
    });
    canvas.dataset.drawn = 'true';
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('canvas.series-chart').forEach(seriesChart);
    document.querySelectorAll('canvas.bar-chart').forEach(barChart);
  });
})();
