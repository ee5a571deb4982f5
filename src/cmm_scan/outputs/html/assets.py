"""The report's stylesheet and script, inlined so the file works offline and alone."""

# GOV.UK-like colours: text #0b0c0c on white is 19:1; links #1d4f91 and greys #505a5f pass AA.
CSS = """
:root{--text:#0b0c0c;--muted:#505a5f;--link:#1d4f91;--border:#b1b4b6;--panel:#f3f2f1;--focus:#ffdd00;
--red:#a51b0b;--amber:#7a4100;--amber-bg:#fff4e0;--red-bg:#fde8e6;--blue-bg:#e8f1fa}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--text);background:#fff;line-height:1.45}
body{margin:0}
.wrap{max-width:1060px;margin:0 auto;padding:0 20px 48px}
header.top{background:#0b0c0c;color:#fff;padding:18px 0 14px;margin-bottom:20px}
header.top h1{margin:0 0 4px;font-size:1.7rem}
header.top p{margin:0;color:#f3f2f1}
a{color:var(--link)}
a:focus,summary:focus,button:focus,select:focus{outline:3px solid var(--focus);outline-offset:0;
box-shadow:0 4px 0 var(--text);background:var(--focus);color:var(--text)}
.skip{position:absolute;left:-9999px}
.skip:focus{left:8px;top:8px;z-index:10;padding:6px 10px}
h2{font-size:1.45rem;margin:34px 0 10px;border-bottom:3px solid var(--text);padding-bottom:4px}
h3{font-size:1.2rem;margin:26px 0 8px}
h4{font-size:1.05rem;margin:0 0 6px}
h5{font-size:.95rem;margin:14px 0 4px}
.small{font-size:.86rem;color:var(--muted)}
.stats{display:flex;flex-wrap:wrap;gap:10px;padding:0;list-style:none}
.stats li{background:var(--panel);padding:8px 12px;border-left:4px solid var(--link)}
.stats strong{display:block;font-size:1.35rem}
table{border-collapse:collapse;margin:8px 0;font-size:.92rem}
th,td{border-bottom:1px solid var(--border);padding:5px 10px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right}
figure{margin:12px 0;overflow-x:auto}
figcaption{font-size:.9rem;color:var(--muted)}
svg.chart{display:block;max-width:100%;height:auto;font-size:12px}
svg .lbl{fill:var(--text)} svg .num,svg .axis,svg .idk{fill:var(--muted)}
svg .grid{stroke:#dcdcdc;stroke-width:1} svg .range{fill:#f3f2f1;stroke:#6f777b;stroke-dasharray:4 3}
svg .human{fill:#fff;stroke:#0b0c0c;stroke-width:2}
svg .spark{fill:none;stroke:var(--link);stroke-width:2} svg circle{fill:var(--link)}
svg a:focus text{text-decoration:underline}
.legend{display:flex;flex-wrap:wrap;gap:12px;list-style:none;padding:0;margin:4px 0;font-size:.88rem}
.legend .swatch{display:inline-block;width:14px;height:14px;margin-right:5px;vertical-align:-2px;border:1px solid #6f777b}
.key-extra{font-size:.88rem;color:var(--muted)}
.controls{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin:14px 0;padding:10px;background:var(--panel)}
button,select{font:inherit;padding:5px 10px;border:2px solid var(--text);background:#fff;color:var(--text);border-radius:0}
button{cursor:pointer}
.card{border:1px solid var(--border);border-left:5px solid var(--link);padding:12px 14px;margin:12px 0;background:#fff}
.card[data-source=human]{border-left-color:#00703c}
.card[data-disagree]{border-left-color:var(--amber)}
.card[data-expired]{border-left-color:var(--red)}
.qnum{color:var(--muted)}
.answer{margin:4px 0}
.badge{display:inline-block;padding:2px 8px;font-weight:700;border:1px solid #6f777b}
.lvl-0{background:#e9eaea}.lvl-1{background:#c6dbef}.lvl-2{background:#9ecae1}.lvl-3{background:#5fa3d0}
.lvl-4{background:#2b75b5;color:#fff}.lvl-5{background:#0b4a8b;color:#fff}
.src{color:var(--muted);font-size:.9rem}
.flag{display:inline-block;padding:1px 7px;font-size:.85rem;margin-right:4px}
.flag.disagree{background:var(--amber-bg);color:var(--amber);border:1px solid var(--amber)}
.flag.expired{background:var(--red-bg);color:var(--red);border:1px solid var(--red)}
.flag.gap{background:var(--panel);color:var(--text);border:1px solid var(--border)}
dl.facts{display:flex;flex-wrap:wrap;gap:4px 22px;margin:4px 0;font-size:.92rem}
dl.facts div{display:flex;gap:6px} dl.facts dt{color:var(--muted)} dl.facts dd{margin:0;font-weight:600}
aside.human{background:#e6f3ec;border:1px solid #00703c;padding:8px 12px;margin:8px 0}
aside.human.is-expired{background:var(--red-bg);border-color:var(--red)}
aside.human p{margin:3px 0}
.tag{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;font-weight:700}
details{margin:6px 0}
summary{cursor:pointer;color:var(--link);font-weight:600;padding:2px 0}
details.more-info>summary{font-size:.95rem}
.card-body{border-top:1px solid var(--border);margin-top:6px;padding-top:4px}
.card-body ul,.card-body ol{padding-left:22px;margin:4px 0}
ul.evidence>li{margin-bottom:8px}
ul.evidence p{margin:2px 0}
details.ids ul{columns:2;font-size:.85rem;list-style:square}
.more{color:var(--muted);font-style:italic}
ol.levels{list-style:none;padding-left:0}
ol.levels li{padding:2px 0} ol.levels strong{display:inline-block;width:1.4em}
.v-ruled_out{color:var(--muted)} .v-met,.v-supported{font-weight:600}
.trend{display:flex;align-items:center;gap:8px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.notice{background:var(--amber-bg);border-left:5px solid var(--amber);padding:8px 12px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em;overflow-wrap:anywhere}
[hidden]{display:none!important}
@media print{.controls,.skip{display:none}.card{break-inside:avoid}}
"""

# Expand/collapse all, a filter over the cards, and opening the card a link points at.
JS = """
(function(){
  var cards=[].slice.call(document.querySelectorAll('article.card'));
  function setAll(open){cards.forEach(function(c){var d=c.querySelector('details.more-info');if(d&&!c.hidden){d.open=open;}});}
  document.getElementById('expand-all').addEventListener('click',function(){setAll(true);});
  document.getElementById('collapse-all').addEventListener('click',function(){setAll(false);});
  var filter=document.getElementById('card-filter'),count=document.getElementById('filter-count');
  var tests={all:function(){return true;},
    manual:function(c){return c.dataset.status==='manual';},
    unknown:function(c){return c.querySelector('.badge.lvl-0')!==null;},
    human:function(c){return c.dataset.source==='human'||c.querySelector('aside.human')!==null;},
    flagged:function(c){return c.hasAttribute('data-disagree')||c.hasAttribute('data-expired');},
    suggested:function(c){return c.dataset.source==='machine';}};
  filter.addEventListener('change',function(){
    var test=tests[filter.value]||tests.all,shown=0;
    cards.forEach(function(c){var ok=test(c);c.hidden=!ok;if(ok){shown++;}});
    count.textContent=shown+' of '+cards.length+' questions shown';
  });
  function openTarget(){var id=decodeURIComponent(location.hash.slice(1));var t=id&&document.getElementById(id);
    if(t&&t.matches('article.card')){var d=t.querySelector('details.more-info');if(d){d.open=true;}}}
  window.addEventListener('hashchange',openTarget);openTarget();
})();
"""
