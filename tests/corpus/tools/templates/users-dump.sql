--
-- PostgreSQL database dump (excerpt)
--
COPY public.users (id, email, phone, password_hash, created_at) FROM stdin;
1	⟦email⟧maria.gonzalez84@gmail.com⟦/⟧	⟦phone⟧+1 415-867-2291⟦/⟧	$2b$12${{b64:40}}	2024-03-11 09:41:07+00
2	⟦email⟧j.okafor@okafor-logistics.ng⟦/⟧	⟦phone⟧+234 803 555 0192⟦/⟧	$2b$12${{b64:40}}	2024-03-11 10:02:55+00
3	⟦email⟧lena.schmidt@posteo.de⟦/⟧	⟦phone⟧+49 30 2589 4417⟦/⟧	$argon2id$v=19$m=65536,t=3,p=4${{b64:16}}${{b64:32}}	2024-03-12 17:20:31+00
\.

INSERT INTO public.api_keys (id, user_id, name, key, created_at) VALUES
  (1, 1, 'zapier', '⟦password-assignment⟧{{opaque:40}}⟦/⟧', '2025-01-02 10:00:00+00'),
  (2, 3, 'ci', '⟦password-assignment⟧{{opaque:40}}⟦/⟧', '2025-06-30 16:12:44+00');

INSERT INTO public.integrations (id, provider, token) VALUES
  (1, 'slack', '⟦slack-token⟧{{slack:xoxb}}⟦/⟧'),
  (2, 'linear', '⟦linear-key⟧{{linear}}⟦/⟧'),
  (3, 'notion', '⟦notion-token⟧{{notion}}⟦/⟧');

SELECT pg_catalog.setval('public.users_id_seq', 184221, true);
