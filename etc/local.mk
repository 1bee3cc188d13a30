# How ipsecd is installed and run: the systemd unit (etc/ipsecd.service,
# made from its .in with the installation directories), the example
# configuration and its include file, the man page ipsecd(8), the
# packaging files (packaging/: Debian and RPM), and the checks of all of
# them (tests/pkg/).

systemdsystemunit_DATA = etc/ipsecd.service
etc/ipsecd.service: $(srcdir)/etc/ipsecd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' \
	    -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	    $(srcdir)/etc/ipsecd.service.in >$@.tmp && mv $@.tmp $@
CLEANFILES += etc/ipsecd.service

dist_man8_MANS += man/ipsecd.8

# The example configuration goes to $(sysconfdir)/ipsecd once: an
# existing file, the administrator's, is never overwritten, and uninstall
# removes only files still identical to the examples.  The include file
# holds keys, so it is installed mode 0600 (ipsecd refuses it otherwise).
ipsecdconfdir = $(sysconfdir)/ipsecd
IPSECD_EXAMPLES = etc/ipsecd.conf etc/ipsecd-keys.conf
install-data-local:
	$(MKDIR_P) '$(DESTDIR)$(ipsecdconfdir)'
	@for f in $(IPSECD_EXAMPLES); do \
		b=$${f#etc/}; dst='$(DESTDIR)$(ipsecdconfdir)'/$$b; \
		case $$b in *keys*) m=600;; *) m=644;; esac; \
		if test -e "$$dst"; then \
			echo "$$dst exists: not overwritten"; \
		else \
			echo " $(INSTALL) -m $$m $$f $$dst"; \
			$(INSTALL) -m $$m '$(srcdir)'/$$f "$$dst" || exit 1; \
		fi; \
	done
uninstall-local:
	@for f in $(IPSECD_EXAMPLES); do \
		dst='$(DESTDIR)$(ipsecdconfdir)'/$${f#etc/}; \
		if cmp -s '$(srcdir)'/$$f "$$dst"; then rm -f "$$dst"; fi; \
	done
	-rmdir '$(DESTDIR)$(ipsecdconfdir)' 2>/dev/null

# The packages: packaging/deb.sh builds the .deb from the tarball with
# packaging/debian; packaging/rpm/ipsecd.spec builds from it with
# rpmbuild -ta.
PACKAGING_FILES = packaging/deb.sh packaging/debian/changelog \
	packaging/debian/control packaging/debian/copyright \
	packaging/debian/rules packaging/debian/source/format \
	packaging/debian/ipsecd.postinst packaging/debian/ipsecd.docs \
	packaging/debian/README.Debian \
	packaging/debian/ipsecd.lintian-overrides packaging/rpm/ipsecd.spec

# Checks: every man page is mandoc -Tlint clean (warnings and above fail),
# the unit passes systemd-analyze verify (skipped without systemd-analyze),
# the example configuration passes ipsecd -n, the packages carry
# configure.ac's version.
PKG_TESTS = tests/pkg/man_lint.sh tests/pkg/unit_verify.sh \
	tests/pkg/example_conf.sh tests/pkg/versions.sh
TESTS += $(PKG_TESTS)
EXTRA_DIST += $(PKG_TESTS) etc/ipsecd.service.in $(IPSECD_EXAMPLES) \
	$(PACKAGING_FILES)
