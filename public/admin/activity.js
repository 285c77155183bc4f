// Draws the activity chart from the table the server rendered (#activity-data), with chart.js
// (loaded before this file from /admin/vendor/chart.js/, the npm package served locally).
'use strict';

(function drawActivity() {
  const table = document.getElementById('activity-data');
  const canvas = document.getElementById('activity-chart');
  if (!table || !canvas || typeof window.Chart !== 'function') return;

  const rows = Array.from(table.querySelectorAll('tbody tr[data-hour]'))
    .map((row) => ({
      hour: row.dataset.hour ?? '',
      approved: Number(row.dataset.approved ?? '0'),
      declined: Number(row.dataset.declined ?? '0'),
      settled: Number(row.dataset.settled ?? '0'),
    }))
    .sort((left, right) => left.hour.localeCompare(right.hour));
  const currency = table.dataset.currency ?? '';
  // Amounts as the page writes them: "USD 12,345.67", with the currency's own decimals.
  const decimals = Number(table.dataset.decimals ?? '2');
  const amount = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  // Axis steps are round numbers: no trailing zero decimals there.
  const axisAmount = new Intl.NumberFormat('en-US', { maximumFractionDigits: decimals });
  const settledLabel = `Money settled (${currency})`;
  const label = (hour) => {
    // "01-15 13:00": the day only where it changes keeps the axis readable.
    const date = hour.slice(5, 10);
    const time = `${hour.slice(11, 13)}:00`;
    return [time, date];
  };

  const styles = getComputedStyle(document.documentElement);
  const color = (name, fallback) => styles.getPropertyValue(name).trim() || fallback;
  const approvedColor = color('--success', '#1a7f37');
  const declinedColor = color('--error', '#b3261e');
  const volumeColor = color('--accent', '#0b5cad');

  // eslint-disable-next-line no-new
  new window.Chart(canvas, {
    data: {
      labels: rows.map((row) => label(row.hour)),
      datasets: [
        { type: 'bar', label: 'Approved payments', data: rows.map((row) => row.approved), backgroundColor: approvedColor, yAxisID: 'count', stack: 'count', order: 1 },
        { type: 'bar', label: 'Declined payments', data: rows.map((row) => row.declined), backgroundColor: declinedColor, yAxisID: 'count', stack: 'count', order: 1 },
        {
          type: 'line', label: settledLabel, data: rows.map((row) => row.settled), borderColor: volumeColor,
          backgroundColor: volumeColor, yAxisID: 'volume', order: 0, tension: 0, pointRadius: rows.length > 48 ? 0 : 2,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            label: (context) => (context.dataset.yAxisID === 'volume'
              ? `${settledLabel}: ${currency} ${amount.format(context.parsed.y)}`
              : `${context.dataset.label}: ${context.parsed.y}`),
          },
        },
      },
      scales: {
        x: { stacked: true, grid: { display: false }, ticks: { autoSkip: true, maxRotation: 0 } },
        count: { type: 'linear', position: 'left', stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Number of payments' } },
        volume: {
          type: 'linear', position: 'right', beginAtZero: true, grid: { drawOnChartArea: false },
          ticks: { callback: (value) => axisAmount.format(value) }, title: { display: true, text: `Money settled (${currency})` },
        },
      },
    },
  });
})();
