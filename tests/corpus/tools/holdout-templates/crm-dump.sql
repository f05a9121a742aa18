-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
-- Host: crm-db    Database: crm
DROP TABLE IF EXISTS `customers`;
CREATE TABLE `customers` (`id` int NOT NULL, `name` varchar(120), `email` varchar(190), `phone` varchar(40), `ssn` char(11), `created_at` datetime);
INSERT INTO `customers` VALUES (1,'Robert Miles','⟦email⟧robert.miles@comcast.net⟦/⟧','⟦phone⟧+1 312-555-0147⟦/⟧','⟦us-ssn⟧{{ssn}}⟦/⟧','2025-04-11 10:22:31'),(2,'Grace Chen','⟦email⟧grace.chen@yahoo.com⟦/⟧','⟦phone⟧(206) 555-0182⟦/⟧','⟦us-ssn⟧{{ssn}}⟦/⟧','2025-04-12 08:01:44'),(3,'Test Account','⟦email⟧qa@example.invalid⟦/⟧','000-000-0000','{{ssn-bad:area0}}','2025-04-12 08:05:00');
DROP TABLE IF EXISTS `integrations`;
CREATE TABLE `integrations` (`id` int, `provider` varchar(40), `api_key` varchar(200), `api_secret` varchar(200));
INSERT INTO `integrations` VALUES (1,'mailchimp','⟦mailchimp-key⟧{{mailchimp}}⟦/⟧',NULL),(2,'twilio','{{twilio-sid}}','⟦twilio-key|password-assignment⟧{{hex:32}}⟦/⟧'),(3,'hubspot','⟦password-assignment⟧pat-na1-{{uuid}}⟦/⟧',NULL);
DROP TABLE IF EXISTS `users`;
CREATE TABLE `users` (`id` int, `login` varchar(60), `password` varchar(100), `reset_token` varchar(64));
INSERT INTO `users` VALUES (1,'admin','$2y$10${{b64:40}}',NULL),(2,'jsmith','$2y$10${{b64:40}}','⟦password-assignment⟧{{hex:64}}⟦/⟧');
-- Dump completed on 2026-11-26 23:00:01
