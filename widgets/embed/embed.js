/* embed.js: <social-stream>, <social-profiles> and <social-login> — custom
 * elements that enhance socialhub's server-rendered HTML (load more,
 * carousel controls, lightbox, live relative dates). No framework, no
 * third-party request, no inline script or style, no eval, no innerHTML:
 * markup comes only from the page's origin or the origin this script was
 * loaded from (socialhub's, which allows the page by embed_origins),
 * through DOMParser. One <script src=".../social/embed.js"> is enough: it
 * links embed.css from beside itself when the page has not. */
(function () {
	'use strict';

	if (!('customElements' in window) || customElements.get('social-stream')) {
		return;
	}

	var doc = document;
	/* Every visible string: English here, another language's from its
	 * catalog (GET {base}/i18n/LANG.json, the js.* keys), loaded once per
	 * language when a widget in it appears. */
	var EN = {
		image: 'Image', open: 'Open the post', close: 'Close', closeImage: 'Close image',
		prev: 'Previous posts', next: 'Next posts',
		loaded: { one: '{n} more post loaded', other: '{n} more posts loaded' },
		moreFailed: 'Could not load more posts.'
	};
	var catalogs = { en: Promise.resolve(EN) };
	var me = doc.currentScript && doc.currentScript.src ? new URL(doc.currentScript.src) : null;
	var home = me ? me.origin : location.origin;
	var root = me ? me.href.replace(/\/[^/]*$/, '') : '/social';
	if (me && !doc.querySelector('link[rel~="stylesheet"][href*="embed.css"]')) {
		var css = doc.createElement('link');
		css.rel = 'stylesheet';
		css.href = root + '/embed.css';
		doc.head.appendChild(css);
	}
	var reduced = window.matchMedia && matchMedia('(prefers-reduced-motion: reduce)');
	var seq = 0;

	function el(tag, cls, text) {
		var e = doc.createElement(tag);
		if (cls) {
			e.className = cls;
		}
		if (text) {
			e.textContent = text;
		}
		return e;
	}

	function button(cls, text, label) {
		var b = el('button', cls, text);
		b.type = 'button';
		if (label) {
			b.setAttribute('aria-label', label);
		}
		return b;
	}

	/* A URL on this page's origin or on socialhub's (where this script came
	 * from), else null: we never ask another host for anything. */
	function own(href) {
		try {
			var u = new URL(href, doc.baseURI);
			return u.origin === location.origin || u.origin === home ? u.href : null;
		} catch (e) {
			return null;
		}
	}

	/* Fetches our own HTML fragment as a detached, inert document. */
	function load(href, credentials) {
		var url = own(href);
		if (!url) {
			return Promise.reject(new Error('not same-origin: ' + href));
		}
		return fetch(url, { credentials: credentials || 'omit', headers: { Accept: 'text/html' } })
			.then(function (r) {
				if (!r.ok) {
					throw new Error('HTTP ' + r.status);
				}
				return r.text();
			})
			.then(function (html) {
				var d = new DOMParser().parseFromString(html, 'text/html');
				d.querySelectorAll('script,style,iframe,object,embed').forEach(function (n) {
					n.remove();
				});
				return d;
			});
	}

	/* The language a widget asks for: its own lang, else its page's. */
	function langOf(host) {
		var l = host.closest('[lang]');
		return l ? l.getAttribute('lang') : '';
	}

	function section(host) {
		return host.querySelector('.social-stream') || host;
	}

	function base(host) {
		return (host.getAttribute('base') || root).replace(/\/+$/, '');
	}

	function query(host, names) {
		var p = new URLSearchParams();
		if (langOf(host)) {
			p.set('lang', langOf(host));
		}
		names.forEach(function (n) {
			var v = host.getAttribute(n);
			if (v) {
				p.set(n, v);
			}
		});
		var s = p.toString();
		return s ? '?' + s : '';
	}

	/* The words of a language: its catalog over English. */
	function words(lang, b) {
		if (!catalogs[lang]) {
			catalogs[lang] = fetch(b + '/i18n/' + encodeURIComponent(lang) + '.json', { credentials: 'omit' })
				.then(function (r) {
					return r.ok ? r.json() : {};
				}).catch(function () {
					return {};
				}).then(function (j) {
					var t = {};
					Object.keys(EN).forEach(function (k) {
						t[k] = j['js.' + k] || EN[k];
					});
					return t;
				});
		}
		return catalogs[lang];
	}

	function say(host, key, n) {
		var m = host.T[key];
		if (typeof m === 'object') {
			m = m[new Intl.PluralRules(host.lang).select(n)] || m.other;
		}
		return m.replace('{n}', n);
	}

	/* Relative dates and counts through Intl, by the rules the server's ICU
	 * follows (util/icufmt.c, the same steps), counted from the instant
	 * the server wrote (data-now): both write the same words. */
	var steps = [[60, 1, 'second'], [3600, 60, 'minute'], [86400, 3600, 'hour'], [604800, 86400, 'day'],
		[3024000, 604800, 'week']];

	function relative(lang, t, now) {
		var d = Math.max(0, Math.floor((now - t) / 1000));
		for (var i = 0; i < steps.length; i++) {
			if (d < steps[i][0]) {
				return new Intl.RelativeTimeFormat(lang, { numeric: 'auto' })
					.format(i ? -Math.floor(d / steps[i][1]) : 0, steps[i][2]);
			}
		}
		return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(t);
	}

	function refresh(section, root) {
		var lang = section.lang || 'en';
		var now = Number(section.dataset.now) * 1000;
		if (!window.Intl || !Intl.RelativeTimeFormat || !(now > 0)) {
			return;
		}
		root.querySelectorAll('time.dt-published[datetime]').forEach(function (t) {
			var d = Date.parse(t.getAttribute('datetime'));
			if (d >= 0) {
				t.textContent = relative(lang, d, now);
			}
		});
		var nf = new Intl.NumberFormat(lang, { notation: 'compact' });
		root.querySelectorAll('.social-stream__counts data[value]').forEach(function (e) {
			e.textContent = nf.format(Number(e.value));
		});
	}

	function status(host) {
		var s = host.querySelector('.social-status');
		if (!s) {
			s = el('p', 'social-status social-vh');
			s.setAttribute('role', 'status');
			host.appendChild(s);
		}
		return s;
	}

	function announce(host, text) {
		var s = status(host);
		s.textContent = '';
		setTimeout(function () {
			s.textContent = text;
		}, 50);
	}

	/* ---- lightbox: one modal dialog per page ---- */

	var box;
	var opener;

	function focusables(root) {
		return Array.prototype.filter.call(root.querySelectorAll('a[href],button'), function (e) {
			return !e.disabled && e.offsetParent !== null;
		});
	}

	function closeBox() {
		if (box && box.open) {
			box.close();
		}
	}

	function makeBox() {
		box = el('dialog', 'social-lightbox');
		var fig = el('figure', 'social-lightbox__figure');
		fig.appendChild(el('img', 'social-lightbox__img'));
		fig.appendChild(el('figcaption', 'social-lightbox__caption'));
		var bar = el('p', 'social-lightbox__bar');
		var link = el('a', 'social-lightbox__link');
		var close = button('social-lightbox__close');
		bar.appendChild(link);
		bar.appendChild(close);
		box.appendChild(fig);
		box.appendChild(bar);
		close.addEventListener('click', closeBox);
		box.addEventListener('click', function (e) {
			if (e.target === box) {
				closeBox(); /* a click on the backdrop */
			}
		});
		box.addEventListener('keydown', function (e) {
			if (e.key === 'Escape') {
				e.preventDefault();
				closeBox();
			} else if (e.key === 'Tab') {
				/* Keep focus inside the dialog. */
				var f = focusables(box);
				var i = f.indexOf(doc.activeElement);
				var next = e.shiftKey ? (i <= 0 ? f.length - 1 : i - 1) : (i + 1) % f.length;
				e.preventDefault();
				f[next].focus();
			}
		});
		box.addEventListener('close', function () {
			if (opener) {
				opener.focus();
			}
			opener = null;
		});
		doc.body.appendChild(box);
	}

	/* The one dialog speaks the language of the widget that opened it. */
	function openBox(a, host) {
		var img = a.querySelector('img');
		var t = host.T || EN;
		if (!img || typeof HTMLDialogElement !== 'function') {
			return false;
		}
		if (!box) {
			makeBox();
		}
		box.lang = host.lang || 'en';
		box.dir = section(host).dir || 'ltr';
		box.setAttribute('aria-label', t.image);
		box.querySelector('a').textContent = t.open;
		var close = box.querySelector('button');
		close.textContent = t.close;
		close.setAttribute('aria-label', t.closeImage);
		var big = box.querySelector('img');
		big.src = img.currentSrc || img.src; /* our /media/ proxy: same origin */
		big.alt = img.alt;
		box.querySelector('figcaption').textContent = img.alt;
		var link = box.querySelector('a');
		if (a.href) {
			link.href = a.href;
			link.hidden = false;
		} else {
			link.hidden = true;
		}
		opener = a;
		box.showModal();
		box.querySelector('button').focus();
		return true;
	}

	/* ---- <social-stream> ---- */

	function carousel(host, section, list) {
		if (!list.id) {
			list.id = 'social-stream-list-' + (++seq);
		}
		var nav = el('div', 'social-stream__controls');
		/* Right to left, "next" is to the left and scrollLeft runs negative. */
		var rtl = getComputedStyle(list).direction === 'rtl' ? -1 : 1;
		var prev = button('social-stream__prev', rtl < 0 ? '\u203a' : '\u2039', host.T.prev);
		var next = button('social-stream__next-slide', rtl < 0 ? '\u2039' : '\u203a', host.T.next);
		[prev, next].forEach(function (b) {
			b.setAttribute('aria-controls', list.id);
			nav.appendChild(b);
		});
		function step(dir) {
			var cell = list.querySelector('.social-stream__cell');
			var w = cell ? cell.getBoundingClientRect().width : list.clientWidth;
			list.scrollBy({ left: rtl * dir * w, behavior: reduced && reduced.matches ? 'auto' : 'smooth' });
		}
		function update() {
			var x = Math.abs(list.scrollLeft);
			prev.disabled = x <= 1;
			next.disabled = x + list.clientWidth >= list.scrollWidth - 1;
		}
		prev.addEventListener('click', function () {
			step(-1);
		});
		next.addEventListener('click', function () {
			step(1);
		});
		list.addEventListener('scroll', update, { passive: true });
		section.insertBefore(nav, list);
		host.updateControls = update;
		update();
	}

	function moreButton(host, section) {
		var a = section.querySelector('a.social-stream__next[href]');
		if (!a || !own(a.href)) {
			return; /* not ours: the plain link keeps working */
		}
		var b = button('social-stream__next', a.textContent);
		b.dataset.href = a.href;
		a.replaceWith(b);
		b.addEventListener('click', function () {
			more(host, section, b);
		});
	}

	function more(host, section, b) {
		var list = section.querySelector('.social-stream__list');
		b.disabled = true;
		section.setAttribute('aria-busy', 'true');
		load(b.dataset.href).then(function (d) {
			var cells = d.querySelectorAll('.social-stream__cell');
			var first = null;
			cells.forEach(function (c) {
				var n = doc.adoptNode(c);
				list.appendChild(n);
				first = first || n.querySelector('article');
			});
			refresh(section, list);
			var nextA = d.querySelector('a.social-stream__next[href]');
			if (nextA && own(nextA.href)) {
				b.dataset.href = nextA.href;
				b.disabled = false;
			} else {
				b.closest('.social-stream__more').remove();
			}
			section.removeAttribute('aria-busy');
			announce(host, say(host, 'loaded', cells.length));
			if (first) {
				first.tabIndex = -1;
				first.focus();
			}
			if (host.updateControls) {
				host.updateControls();
			}
		}).catch(function () {
			section.removeAttribute('aria-busy');
			b.disabled = false;
			announce(host, host.T.moreFailed);
		});
	}

	/* label="...": the widget becomes a landmark (region) of that name. */
	function label(host, section) {
		var l = host.getAttribute('label');
		if (l && section) {
			section.setAttribute('aria-label', l);
		}
	}

	/* The element's own no-JS content (a link to the full page) goes once
	 * the widget is in. */
	function dropFallback(host) {
		host.querySelectorAll(':scope > [data-fallback]').forEach(function (n) {
			n.remove();
		});
	}

	function enhanceStream(host) {
		var section = host.querySelector('.social-stream');
		if (!section || section.dataset.enhanced) {
			return;
		}
		section.dataset.enhanced = '1';
		label(host, section);
		dropFallback(host);
		var list = section.querySelector('.social-stream__list');
		refresh(section, section);
		host.lang = section.lang || 'en';
		words(host.lang, base(host)).then(function (t) {
			host.T = t;
			if (list && section.classList.contains('social-stream--carousel')) {
				carousel(host, section, list);
			}
		});
		moreButton(host, section);
		section.addEventListener('click', function (e) {
			var a = e.target.closest && e.target.closest('a.social-stream__media-link');
			if (a && !e.ctrlKey && !e.metaKey && !e.shiftKey && e.button === 0 && openBox(a, host)) {
				e.preventDefault();
			}
		});
		section.querySelectorAll('a.social-stream__media-link').forEach(function (a) {
			a.setAttribute('aria-haspopup', 'dialog');
		});
	}

	/* Fills an empty element from `url`: the first `selector` in the answer. */
	function fill(host, url, selector, credentials) {
		host.setAttribute('aria-busy', 'true');
		return load(url, credentials).then(function (d) {
			var frag = d.querySelector(selector);
			host.removeAttribute('aria-busy');
			if (!frag) {
				throw new Error('no ' + selector);
			}
			return frag;
		}).catch(function (e) {
			host.removeAttribute('aria-busy');
			host.dataset.error = String(e.message || e);
			return null;
		});
	}

	class SocialStream extends HTMLElement {
		connectedCallback() {
			var self = this;
			if (this.querySelector('.social-stream')) {
				enhanceStream(this);
				return;
			}
			var name = this.getAttribute('stream');
			if (!name || this.loading) {
				return;
			}
			this.loading = true;
			var url = base(this) + '/streams/' + encodeURIComponent(name) + '.html' +
				query(this, ['layout', 'limit', 'source', 'tag', 'market']);
			fill(this, url, '.social-stream').then(function (frag) {
				if (frag) {
					self.appendChild(doc.adoptNode(frag));
					enhanceStream(self);
				}
			});
		}
	}

	class SocialProfiles extends HTMLElement {
		connectedCallback() {
			var self = this;
			var name = this.getAttribute('stream');
			if (this.querySelector('.social-profiles')) {
				label(this, this.querySelector('.social-profiles'));
				return;
			}
			if (!name || this.loading) {
				return;
			}
			this.loading = true;
			fill(this, base(this) + '/profiles/' + encodeURIComponent(name) + '.html' + query(this, ['market']),
				'.social-profiles')
				.then(function (frag) {
					if (frag) {
						self.appendChild(doc.adoptNode(frag));
						label(self, frag);
						dropFallback(self);
					}
				});
		}
	}

	/* Enhances /auth/button.html: loads it when empty (with cookies: it
	 * depends on who is signed in) and points return_to at this page. */
	class SocialLogin extends HTMLElement {
		connectedCallback() {
			var self = this;
			/* A plain link marked data-fallback serves visitors without JS. */
			var fallback = this.querySelector('[data-fallback]');
			if ((this.children.length && !fallback) || this.loading) {
				return;
			}
			this.loading = true;
			var back = this.getAttribute('return-to') || location.pathname + location.search;
			fill(this, base(this) + '/auth/button.html?return_to=' + encodeURIComponent(back) +
				query(this, []).replace('?', '&'),
				'social-login', 'same-origin').then(function (frag) {
				if (!frag) {
					return;
				}
				self.dataset.state = frag.dataset.state || '';
				if (fallback) {
					fallback.remove();
				}
				while (frag.firstChild) {
					self.appendChild(doc.adoptNode(frag.firstChild));
				}
				/* Nothing is announced: a page load is no news. */
			});
		}
	}

	customElements.define('social-stream', SocialStream);
	customElements.define('social-profiles', SocialProfiles);
	customElements.define('social-login', SocialLogin);
}());
