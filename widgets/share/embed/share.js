/* share.js: the <social-share> element — progressive enhancement of the
 * server-rendered share bar. Adds a native share button where the browser
 * has the Web Share API and shows live counts from /share/counts. Makes no
 * third-party request, uses no inline script or style (CSP-safe). */
(function () {
	'use strict';

	if (!('customElements' in window) || customElements.get('social-share')) {
		return;
	}

	/* Counts come from the page's origin or socialhub's (this script's). */
	var me = document.currentScript && document.currentScript.src;
	var home = me ? new URL(me).origin : location.origin;
	/* English; the bar carries its language's words (data-native-label,
	 * data-count-words) and lang, and Intl formats the numbers. */
	var T = { share: 'Share\u2026', count: { one: '{n} share', other: '{n} shares' } };

	function langOf(e) {
		var l = e.closest('[lang]');
		return (l && l.getAttribute('lang')) || 'en';
	}

	function formatCount(n, lang) {
		try {
			return new Intl.NumberFormat(lang, { notation: 'compact' }).format(n);
		} catch (e) {
			return String(n);
		}
	}

	function countWords(bar, n, lang) {
		var w = T.count;
		try {
			w = JSON.parse(bar.dataset.countWords || 'null') || w;
		} catch (e) { /* the English ones */ }
		var cat = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang).select(n) : 'other';
		return (w[cat] || w.other).replace('{n}', n);
	}

	class SocialShare extends HTMLElement {
		connectedCallback() {
			if (this.enhanced) {
				return;
			}
			this.enhanced = true;
			this.addNativeButton();
			if (!this.hasAttribute('data-no-counts')) {
				this.loadCounts();
			}
		}

		shareData() {
			var data = { url: this.dataset.url || location.href };
			var title = this.dataset.title || document.title;
			if (title) {
				data.title = title;
			}
			return data;
		}

		addNativeButton() {
			var list = this.querySelector('.social-share__list');
			var data = this.shareData();
			if (!list || typeof navigator.share !== 'function') {
				return;
			}
			if (typeof navigator.canShare === 'function' && !navigator.canShare(data)) {
				return;
			}
			var item = document.createElement('li');
			var button = document.createElement('button');
			item.className = 'social-share__item';
			button.type = 'button';
			button.className = 'social-share__native';
			button.textContent = this.dataset.nativeLabel || T.share;
			button.addEventListener('click', function () {
				navigator.share(data).catch(function () {
					/* AbortError: the visitor closed the sheet. */
				});
			});
			item.appendChild(button);
			list.insertBefore(item, list.firstChild);
		}

		loadCounts() {
			var self = this;
			var src;
			try {
				src = new URL(this.dataset.counts || '', document.baseURI);
			} catch (e) {
				return;
			}
			/* Ours only: never a third-party request. */
			if (!this.dataset.counts || (src.origin !== location.origin && src.origin !== home)) {
				return;
			}
			fetch(src.href, { credentials: 'omit', headers: { Accept: 'application/json' } })
				.then(function (r) {
					return r.ok ? r.json() : null;
				})
				.then(function (d) {
					if (d && d.networks) {
						self.showCounts(d);
					}
				})
				.catch(function () {
					/* Counts are a nicety; the links work without them. */
				});
		}

		showCounts(d) {
			var links = this.querySelectorAll('a.social-share__link[data-network]');
			for (var i = 0; i < links.length; i++) {
				var a = links[i];
				var n = d.networks[a.dataset.network];
				if (typeof n !== 'number' || n <= 0 || Math.floor(n) !== n) {
					continue;
				}
				var badge = a.querySelector('.social-share__count');
				if (!badge) {
					badge = document.createElement('span');
					badge.className = 'social-share__count';
					badge.setAttribute('aria-hidden', 'true');
					a.appendChild(badge);
				}
				badge.textContent = formatCount(n, langOf(this));
				var label = a.dataset.label || a.getAttribute('aria-label') || '';
				a.dataset.label = label;
				a.setAttribute('aria-label', label + ' (' + countWords(this, n, langOf(this)) + ')');
			}
			if (typeof d.total === 'number') {
				this.dataset.total = String(d.total);
			}
			this.dispatchEvent(new CustomEvent('social-share:counts', { detail: d }));
		}
	}

	customElements.define('social-share', SocialShare);
}());
