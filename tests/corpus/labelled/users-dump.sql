--
-- PostgreSQL database dump (excerpt)
--
COPY public.users (id, email, phone, password_hash, created_at) FROM stdin;
1	⟦email⟧maria.gonzalez84@gmail.com⟦/⟧	⟦phone⟧+1 415-867-2291⟦/⟧	$2b$12$Rm5EjIiTCmUTlw+iEz7Xx/ueaL31MReYjXtUyE97Ldd8qJuQF9D4FQ==	2024-03-11 09:41:07+00
2	⟦email⟧j.okafor@okafor-logistics.ng⟦/⟧	⟦phone⟧+234 803 555 0192⟦/⟧	$2b$12$g9ZkXVCP5TidzpuiL+LoEtzJRYcCo+NwpzI8PnMpglfX680bv4uLDQ==	2024-03-11 10:02:55+00
3	⟦email⟧lena.schmidt@posteo.de⟦/⟧	⟦phone⟧+49 30 2589 4417⟦/⟧	$argon2id$v=19$m=65536,t=3,p=4$snzIbpDLWPa2wrqve9g9xQ==$5JPa2NO6SmmFFNjohnXwZR98Dy6lLaUFTJ0Vq+LMcrc=	2024-03-12 17:20:31+00
\.

INSERT INTO public.api_keys (id, user_id, name, key, created_at) VALUES
  (1, 1, 'zapier', '⟦password-assignment⟧REF9Y2HfK2nZJObmONsDP1FEbbAxNXjiM5J3Fs4L⟦/⟧', '2025-01-02 10:00:00+00'),
  (2, 3, 'ci', '⟦password-assignment⟧IHZZMdM4OYImuVJj2Jtb2gONAywuqaOeenfYbpVr⟦/⟧', '2025-06-30 16:12:44+00');

INSERT INTO public.integrations (id, provider, token) VALUES
  (1, 'slack', '⟦slack-token⟧xoxb-336502616492-0576898600057-8QL2ZvXe0O9KdfEqIpbVQupK⟦/⟧'),
  (2, 'linear', '⟦linear-key⟧lin_api_VcsIF2Ezxy5lud79JDNveZ8TzhUW6z3lsUk07FdR⟦/⟧'),
  (3, 'notion', '⟦notion-token⟧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⟦/⟧');

SELECT pg_catalog.setval('public.users_id_seq', 184221, true);
