/*
 * ESP transform (RFC 4303).  Wire layout after the IP header(s):
 *
 *   0       4       8          8+iv
 *   | SPI   | seq   | IV       | payload ... | pad | pad len | nh | ICV |
 *                              \______ encrypted (ENCR/AEAD) _______/
 *   \___ authenticated: AEAD AAD = SPI|seq (ESN: SPI|seq hi|seq lo);
 *        ENCR+AUTH HMAC = SPI .. nh, then seq hi with ESN (sec. 2.2.1);
 *        GMAC AAD = SPI|seq [hi] .. nh (RFC 4543 sec. 3.3) ___/
 *
 * Padding is 1, 2, 3, ... up to the cipher's block (at least 4 bytes, so
 * the ICV starts 32-bit aligned), section 2.4.
 */
#include "config.h"

#include "ipsec/esp.h"

#include <netinet/in.h>
#include <string.h>

#include "common/pbuf.h"
#include "common/rd.h"
#include "crypto/cipher.h"
#include "ipsec/iphdr.h"
#include "ipsec/replay.h"
#include "ipsec/sa.h"

#define ESP_HDR_LEN 8
#define ESP_NH_NONE 59 /* RFC 4303 section 2.6: dummy packet */

static size_t
block_of(const struct cipher_key *k)
{
	size_t b = k->enc != NULL ? k->enc->block_len : 4;

	return b < 4 ? 4 : b;
}

static size_t
icv_of(const struct cipher_key *k)
{
	if (k->enc != NULL && k->enc->kind == ALG_AEAD)
		return k->enc->icv_len;
	return k->auth != NULL ? k->auth->icv_len : 0;
}

static size_t
pad_for(size_t block, size_t payload_len)
{
	return (block - (payload_len + 2) % block) % block;
}

size_t
esp_overhead(const struct cipher_key *k, size_t payload_len)
{
	size_t iv = k->enc != NULL ? k->enc->iv_len : 0;

	return ESP_HDR_LEN + iv + pad_for(block_of(k), payload_len) + 2 +
	    icv_of(k);
}

/*
 * Describe the crypto over an ESP packet at esp (header at esp[0]) whose
 * encrypted part is ct_len bytes; the ICV follows it.
 */
static void
build_op(struct ipsec_job *job, struct cipher *c, uint8_t *esp,
    size_t ct_len, bool is_encrypt)
{
	const struct cipher_key *k = cipher_key_of(c);
	size_t iv_len = k->enc != NULL ? k->enc->iv_len : 0;
	bool is_esn = (job->sa->flags & SA_F_ESN) != 0;
	uint8_t *body = esp + ESP_HDR_LEN + iv_len;
	struct crypto_op *op = &job->op;
	uint8_t *hdr = esp;
	size_t hdr_len = ESP_HDR_LEN;

	memset(op, 0, sizeof(*op));
	op->c = c;
	op->is_encrypt = is_encrypt;
	op->iv = esp + ESP_HDR_LEN;
	op->icv = body + ct_len;
	if (is_esn) {
		/* SPI | seq hi | seq lo, not contiguous on the wire. */
		memcpy(job->scratch, esp, 4);
		wr_u32(job->scratch + 4, (uint32_t)(job->seq >> 32));
		memcpy(job->scratch + 8, esp + 4, 4);
		hdr = job->scratch;
		hdr_len = 12;
	}
	if (k->enc != NULL && k->enc->kind == ALG_AEAD) {
		crypto_op_auth(op, hdr, hdr_len);
		if (k->enc->id == ALG_AES_GMAC)
			crypto_op_auth(op, op->iv, iv_len);
	} else {
		crypto_op_auth(op, esp, ESP_HDR_LEN + iv_len + ct_len);
		if (is_esn)
			crypto_op_auth(op, job->scratch + 4, 4);
	}
	op->data = body;
	op->data_len = ct_len;
}

enum ipsec_verdict
esp_encap_begin(struct ipsec_job *job, struct cipher *c, uint64_t seq,
    const uint8_t *iv)
{
	const struct cipher_key *k = cipher_key_of(c);
	struct pbuf *pb = job->pb;
	struct ip_info info;
	size_t iv_len = k->enc != NULL ? k->enc->iv_len : 0;
	size_t hlen = ESP_HDR_LEN + iv_len;
	size_t pay_len, pad, tlen, limit;
	uint8_t *esp, *tail;

	if (!ip_parse(pbuf_data(pb), pbuf_len(pb), &info) || info.is_frag)
		return IPSEC_DROP_HDR;
	if (seq == 0)
		return IPSEC_DROP_SEQ_ZERO;
	if ((job->sa->flags & SA_F_ESN) == 0 && seq > UINT32_MAX)
		return IPSEC_DROP_SEQ_EXHAUSTED;
	pay_len = pbuf_len(pb) - info.ins_off;
	pad = pad_for(block_of(k), pay_len);
	tlen = pad + 2 + cipher_icv_len(c);
	limit = info.family == AF_INET ? 65535 : 65535 + 40;
	if (pbuf_len(pb) + hlen + tlen > limit)
		return IPSEC_DROP_TOOBIG;
	if (pbuf_headroom(pb) < hlen || pbuf_tailroom(pb) < tlen)
		return IPSEC_DROP_NOROOM;

	esp = pbuf_insert(pb, info.ins_off, hlen);
	wr_u32(esp, job->sa->spi);
	wr_u32(esp + 4, (uint32_t)seq);
	if (iv_len > 0) /* NULL has no IV, and iv may then be NULL */
		memcpy(esp + ESP_HDR_LEN, iv, iv_len);
	tail = pbuf_put(pb, tlen);
	for (size_t i = 0; i < pad; i++)
		tail[i] = (uint8_t)(i + 1);
	tail[pad] = (uint8_t)pad;
	tail[pad + 1] = info.proto;
	ip_set_proto(pbuf_data(pb), info.nh_off, IPPROTO_ESP);
	ip_set_len(pbuf_data(pb), info.family, pbuf_len(pb));

	job->seq = seq;
	job->off = info.ins_off;
	job->nh_off = info.nh_off;
	job->aux = (uint16_t)hlen;
	build_op(job, c, esp, pay_len + pad + 2, true);
	return IPSEC_OK;
}

enum ipsec_verdict
esp_encap_end(struct ipsec_job *job)
{
	return job->op.status == CRYPTO_OK ? IPSEC_OK : IPSEC_DROP_CRYPTO;
}

enum ipsec_verdict
esp_decap_begin(struct ipsec_job *job, struct cipher *c)
{
	const struct cipher_key *k = cipher_key_of(c);
	struct sa *sa = job->sa;
	struct ip_info info;
	struct rd rd;
	uint8_t *esp;
	uint32_t spi, seq_lo;
	size_t iv_len = k->enc != NULL ? k->enc->iv_len : 0;
	size_t icv_len = cipher_icv_len(c), ct_len;
	enum ipsec_verdict v;

	if (!ip_parse(pbuf_data(job->pb), pbuf_len(job->pb), &info) ||
	    info.is_frag)
		return IPSEC_DROP_HDR;
	if (info.proto != IPPROTO_ESP)
		return IPSEC_DROP_PROTO;
	esp = pbuf_data(job->pb) + info.ins_off;
	rd_init(&rd, esp, pbuf_len(job->pb) - info.ins_off);
	if (!rd_u32(&rd, &spi) || !rd_u32(&rd, &seq_lo) ||
	    !rd_skip(&rd, iv_len) || rd_left(&rd) < icv_len + 2)
		return IPSEC_DROP_SHORT;
	ct_len = rd_left(&rd) - icv_len;
	/*
	 * Whole cipher blocks, and 32-bit alignment for every cipher
	 * (RFC 4303 section 2.4), as Linux's esp_input checks too.
	 */
	if (ct_len % block_of(k) != 0)
		return IPSEC_DROP_HDR;
	if (spi != sa->spi)
		return IPSEC_DROP_NOSA;
	if (sa->replay != NULL) {
		if ((v = replay_check(sa->replay, seq_lo, &job->seq)) !=
		    IPSEC_OK)
			return v;
	} else if ((sa->flags & SA_F_ESN) != 0) {
		return IPSEC_DROP_NOSA; /* ESN cannot be inferred without */
	} else {
		if (seq_lo == 0)
			return IPSEC_DROP_SEQ_ZERO;
		job->seq = seq_lo;
	}
	job->off = info.ins_off;
	job->nh_off = info.nh_off;
	job->aux = (uint16_t)(ESP_HDR_LEN + iv_len);
	build_op(job, c, esp, ct_len, false);
	return IPSEC_OK;
}

enum ipsec_verdict
esp_decap_end(struct ipsec_job *job, uint8_t *next_hdr)
{
	struct pbuf *pb = job->pb;
	struct crypto_op *op = &job->op;
	size_t ct_len = op->data_len, pad;
	const uint8_t *trailer;
	uint8_t nh;
	enum ipsec_verdict v;

	switch (op->status) {
	case CRYPTO_OK:
		break;
	case CRYPTO_BAD_ICV:
		return IPSEC_DROP_ICV;
	case CRYPTO_ERROR:
		return IPSEC_DROP_CRYPTO;
	}
	/* Only now: a forged packet must not move the window (3.4.3). */
	if (job->sa->replay != NULL &&
	    (v = replay_advance(job->sa->replay, job->seq)) != IPSEC_OK)
		return v;
	trailer = op->data + ct_len - 2;
	pad = trailer[0];
	nh = trailer[1];
	if (pad + 2 > ct_len)
		return IPSEC_DROP_PAD;
	for (size_t i = 0; i < pad; i++)
		if (op->data[ct_len - 2 - pad + i] != (uint8_t)(i + 1))
			return IPSEC_DROP_PAD;
	if (nh == ESP_NH_NONE)
		return IPSEC_DUMMY;
	pbuf_trim(pb, pad + 2 + cipher_icv_len(op->c));
	pbuf_remove(pb, job->off, job->aux);
	ip_set_proto(pbuf_data(pb), job->nh_off, nh);
	ip_set_len(pbuf_data(pb), (uint8_t)(pbuf_data(pb)[0] >> 4 == 4 ?
					     AF_INET : AF_INET6),
	    pbuf_len(pb));
	*next_hdr = nh;
	return IPSEC_OK;
}

enum ipsec_verdict
esp_encap(const struct sa *sa, struct cipher *c, uint64_t seq,
    const uint8_t *iv, struct pbuf *pb)
{
	struct ipsec_job job;
	enum ipsec_verdict v;

	job.sa = (struct sa *)sa; /* encap never writes through it */
	job.pb = pb;
	if ((v = esp_encap_begin(&job, c, seq, iv)) != IPSEC_OK)
		return v;
	cipher_run(&job.op);
	return esp_encap_end(&job);
}

enum ipsec_verdict
esp_decap(struct sa *sa, struct cipher *c, struct pbuf *pb,
    uint8_t *next_hdr)
{
	struct ipsec_job job;
	enum ipsec_verdict v;

	job.sa = sa;
	job.pb = pb;
	if ((v = esp_decap_begin(&job, c)) != IPSEC_OK)
		return v;
	cipher_run(&job.op);
	return esp_decap_end(&job, next_hdr);
}
