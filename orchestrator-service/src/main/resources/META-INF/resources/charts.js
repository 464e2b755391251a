// The run page's charts (echarts, loaded by run.html): one per question a person asks of a run.
const charts = {};

function chart(id) {
  if (!charts[id]) {
    charts[id] = echarts.init(document.getElementById(id));
    window.addEventListener('resize', () => charts[id].resize());
  }
  return charts[id];
}

function draw(id, title, option) {
  chart(id).setOption({
    title: { text: title, textStyle: { fontSize: 13 } }, animation: false, tooltip: { trigger: 'axis' },
    legend: { bottom: 0 }, grid: { left: 55, right: 55, top: 40, bottom: 55 }, ...option,
  }, { notMerge: true });
}

/** pi_0 (after SFT, or the model the run started from), then pi_{t+1} trained in iteration t. */
function models(report) {
  return [{ name: 'π0', eval: report.sft?.eval }, ...report.iterations.map(it => ({ name: 'π' + (it.iteration + 1), eval: it.eval }))];
}

const line = (name, data, extra = {}) => ({ name, type: 'line', data, connectNulls: true, symbolSize: 7, ...extra });

export function drawCharts(report) {
  const ms = models(report);
  const names = ms.map(m => m.name);
  draw('chart-logp', 'Eval: human response log-prob per token', {
    xAxis: { type: 'category', data: names }, yAxis: { type: 'value', scale: true },
    series: [line('log p(human) / token', ms.map(m => m.eval?.humanLogpPerToken ?? null))],
  });
  draw('chart-similarity', 'Generated vs human', {
    xAxis: { type: 'category', data: names }, yAxis: { type: 'value', min: 0, max: 1 },
    series: [line('eval similarity', ms.map(m => m.eval?.meanSimilarity ?? null)),
      line('eval exact match', ms.map(m => m.eval?.exactMatchRate ?? null)),
      line('train similarity (its samples)', names.map((_, t) => report.iterations[t]?.generation?.meanSimilarity ?? null))],
  });
  const its = report.iterations;
  draw('chart-rewards', 'SPIN rewards: margin and accuracy', {
    xAxis: { type: 'category', data: its.map(it => 'iteration ' + it.iteration) },
    yAxis: [{ type: 'value', name: 'margin', scale: true }, { type: 'value', name: 'accuracy', min: 0, max: 1 }],
    series: [line('reward margin', its.map(it => it.training?.rewardsMargin ?? null)),
      line('reward accuracy', its.map(it => it.training?.rewardsAccuracy ?? null), { yAxisIndex: 1 })],
  });
  draw('chart-drift', 'Sampler vs trainer: |log p| difference of the same tokens under pi_t', {
    xAxis: { type: 'category', data: its.map(it => 'iteration ' + it.iteration) }, yAxis: { type: 'value', scale: true },
    series: [line('mean', its.map(it => it.training?.samplerLogpDiffMean ?? null)),
      line('largest', its.map(it => it.training?.samplerLogpDiffMax ?? null))],
  });
  const stages = [{ name: 'SFT', curve: report.sft?.lossCurve ?? [] }, ...its.map(it => ({ name: 'iteration ' + it.iteration, curve: it.lossCurve ?? [] }))];
  let offset = 0;
  const series = [];
  for (const stage of stages.filter(s => s.curve.length > 0)) {
    series.push(line(stage.name, stage.curve.map(p => [offset + p.step, p.loss]), { symbolSize: 4 }));
    offset += Math.max(...stage.curve.map(p => p.step));
  }
  draw('chart-loss', 'Training loss per optimizer step', {
    xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 22 }, yAxis: { type: 'value', scale: true }, series,
  });
}
